//! Building a client leaves rustls' process-wide crypto provider to the application. This is a
//! test binary of its own, with a single test, so that nothing else in the process installs a
//! provider first.

use composio_typed::retry::RetryPolicy;
use composio_typed::{Client, Error};
use tokio::io::AsyncWriteExt;

fn client(base_url: &str) -> Client {
    Client::builder()
        .api_key("ak_test_tls_provider")
        .base_url(base_url)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_client_brings_its_own_crypto_provider_and_leaves_the_default_alone() {
    // A listener that answers a TLS hello with plain text: the handshake runs and fails.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("https://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n").await;
        }
    });

    let tls_client = client(&base_url);
    assert!(
        rustls::crypto::CryptoProvider::get_default().is_none(),
        "building a client installed a process-wide crypto provider"
    );
    // The handshake runs on the client's own provider: with no process default, it is an error
    // of the connection, not a panic.
    let err = tls_client.toolkit("github", "latest").await.unwrap_err();
    assert!(matches!(err, Error::Connection { may_have_run: false, .. }), "{err:?}");
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());

    // The application is still free to install its own default, and clients keep working.
    rustls::crypto::ring::default_provider()
        .install_default()
        .expect("the application can install its provider after building a client");
    let err = client(&base_url).toolkit("github", "latest").await.unwrap_err();
    assert!(matches!(err, Error::Connection { may_have_run: false, .. }), "{err:?}");
}
