//! Receives Composio's webhooks: verifies each delivery, decodes GitHub trigger events into the
//! generated types, and prints them once per delivery id.
//!
//! ```sh
//! COMPOSIO_WEBHOOK_SECRET=… cargo run -p composio-typed --features github,axum --example webhook -- 127.0.0.1:8080
//! ```
//!
//! Point the project's webhook subscription at `http://<address>/hooks/composio` (through a
//! tunnel when it runs on your machine).

use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use composio_typed::toolkits::github;
use composio_typed::triggers::axum::{Delivery, webhook};
use composio_typed::triggers::{Event, Verifier};

#[tokio::main]
async fn main() -> ExitCode {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let Ok(secret) = std::env::var("COMPOSIO_WEBHOOK_SECRET") else {
        eprintln!("set COMPOSIO_WEBHOOK_SECRET to the subscription's signing secret");
        return ExitCode::from(2);
    };
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let route = webhook(Verifier::new(secret), move |delivery: Delivery| {
        let seen = seen.clone();
        async move {
            // Delivery is at least once: a retry repeats the id.
            if !seen.lock().map_err(|_| "poisoned")?.insert(delivery.delivery_id.clone()) {
                return Ok(());
            }
            match &delivery.event {
                Event::Trigger(fired) => match github::Event::decode(fired) {
                    Ok(github::Event::CommitEvent(commit)) => {
                        println!("{} pushed {}: {}", commit.author, commit.id, commit.message)
                    }
                    Ok(github::Event::StarAddedEvent(star)) => {
                        println!("{} starred {}", star.starred_by, star.repository_name)
                    }
                    Ok(other) => println!("github event: {other:?}"),
                    Err(e) => println!("{}: {e}", fired.trigger_slug),
                },
                other => println!("{other:?}"),
            }
            Ok::<_, &'static str>(())
        }
    });
    let app = axum::Router::new().route("/hooks/composio", route);
    let listener = match tokio::net::TcpListener::bind(&address).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("cannot listen on {address}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("receiving on http://{address}/hooks/composio");
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
