//! Connects a user's app and calls one tool through the new account.
//!
//! ```sh
//! COMPOSIO_API_KEY=… cargo run -p composio-typed --features github --example connect_and_call -- github user-42
//! ```
//!
//! It prints the Connect Link, waits (up to the link's lifetime) for the user to finish, then
//! calls `GITHUB_GET_THE_AUTHENTICATED_USER` through the account it made.

use std::process::ExitCode;
use std::time::Duration;

use composio_typed::toolkits::github;
use composio_typed::{Client, Error};

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(toolkit), Some(user)) = (args.next(), args.next()) else {
        eprintln!("usage: connect_and_call <toolkit> <user-id>   (only `github` has a tool to call here)");
        return ExitCode::from(2);
    };
    match run(&toolkit, &user).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(toolkit: &str, user: &str) -> Result<(), Error> {
    if toolkit != github::TOOLKIT {
        return Err(Error::Config(format!("this example calls a GitHub tool; `{toolkit}` is not `github`")));
    }
    let client = Client::from_env()?.for_user(user);

    // A user who connected before keeps their account: reuse it rather than link again.
    let request = match client.authorize(toolkit).await {
        Err(Error::AccountExists { existing, .. }) => {
            println!("{user} is already connected to {toolkit}: {}", existing[0]);
            return call(&client, &existing[0]).await;
        }
        other => other?,
    };
    let link = request.redirect_url().unwrap_or_default();
    println!("Open this link to connect {toolkit} for {user}:\n{link}");
    // Ten minutes, the link's lifetime; the wait ends sooner if the link expires.
    let account = request.wait_for(Duration::from_secs(600)).await?;
    println!("Connected: {} ({})", account.id, account.status);
    call(&client, &account.id).await
}

async fn call(client: &Client, account: &str) -> Result<(), Error> {
    let me = github::get_the_authenticated_user(client, github::GetTheAuthenticatedUserInput::new())
        .connected_account(account)
        .await?;
    println!("Signed in to GitHub as {} ({})", me.login, me.html_url);
    Ok(())
}
