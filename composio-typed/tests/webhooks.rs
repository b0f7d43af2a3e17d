//! The whole loop on loopback: subscribe, create an instance, let the local server fire signed
//! deliveries (V1, V2, V3, a retry, a tampered one) at a receiver that verifies, decodes into
//! the generated github types and handles each delivery id once.

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use common::{API_KEY, builder, committed_tools};
use composio_testserver::{Delivery, Route, TestServer};
use composio_typed::accounts::{AuthScheme, ConnectionState, NewAuthConfig};
use composio_typed::toolkits::github;
use composio_typed::triggers::{Event, PayloadVersion, SubscriptionUpdate, Verifier};
use composio_typed::{Credentials, Error};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Default)]
struct Received {
    seen: BTreeSet<String>,
    commits: Vec<(String, PayloadVersion)>,
}

/// Reads one HTTP request: its headers (lower-cased names) and body.
async fn read_request(stream: &mut tokio::net::TcpStream) -> (Vec<(String, String)>, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the connection closed before the headers ended");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.iter().find(|(k, _)| k == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the connection closed mid-body");
        buf.extend_from_slice(&chunk[..n]);
    }
    (headers, buf[head_end..head_end + length].to_vec())
}

/// A receiver that verifies with the current secret, answers 401 on a bad signature, and
/// counts each delivery id once.
async fn receiver(verifier: Arc<Mutex<Verifier>>, received: Arc<Mutex<Received>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/composio", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let (headers, body) = read_request(&mut stream).await;
            let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
            let verified = verifier.lock().unwrap().verify(header, &body);
            let status = match verified {
                Err(_) => 401,
                Ok(verified) => match Event::from_slice(&body, Some(&verified.delivery_id)) {
                    Ok(Event::Trigger(event)) => match github::Event::decode(&event) {
                        Ok(github::Event::CommitEvent(commit)) => {
                            let mut received = received.lock().unwrap();
                            if received.seen.insert(verified.delivery_id.clone()) {
                                received.commits.push((commit.id.clone(), event.version));
                            }
                            200
                        }
                        _ => 422,
                    },
                    _ => 422,
                },
            };
            let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            stream.write_all(answer.as_bytes()).await.unwrap();
        }
    });
    url
}

fn commit(id: &str) -> Value {
    json!({"author": "octocat", "id": id, "message": "Fix typo", "timestamp": "2026-01-01T00:00:00Z",
           "url": format!("https://github.com/octocat/hello-world/commit/{id}")})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_create_an_instance_fire_and_receive_each_delivery_once() {
    let triggers_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/github/20251027_00.triggers.json");
    let trigger_types: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(triggers_path).unwrap()).unwrap();
    let server = TestServer::builder()
        .api_key(API_KEY)
        .tools(committed_tools("github"))
        .trigger_types(trigger_types)
        .start()
        .await;
    let client = builder(&server).build().unwrap().for_user("user-1");

    // Subscribe a receiver; the secret comes with the answer and never shows in Debug.
    let verifier = Arc::new(Mutex::new(Verifier::new("")));
    let received = Arc::new(Mutex::new(Received::default()));
    let url = receiver(verifier.clone(), received.clone()).await;
    let subscriptions = client.webhook_subscriptions();
    let subscription = subscriptions.create(&url, ["composio.trigger.message"], PayloadVersion::V3).await.unwrap();
    let secret = subscription.secret.clone().expect("the secret comes with the creation");
    assert!(!format!("{subscription:?}").contains(secret.expose_secret()), "the secret shows in Debug");
    *verifier.lock().unwrap() = Verifier::new(secret.clone());
    assert_eq!(subscriptions.get(&subscription.id).await.unwrap().webhook_url, url);
    let types = subscriptions.event_types().await.unwrap();
    assert!(types.iter().any(|t| t.event_type == "composio.trigger.disabled" && t.supported_versions.len() == 3));
    assert_eq!(subscriptions.list().collect().await.unwrap().len(), 1);

    // An instance to fire from.
    let config = client
        .auth_configs()
        .create("github", NewAuthConfig::custom(AuthScheme::ApiKey, Credentials::new()))
        .await
        .unwrap();
    let request =
        client.connected_accounts().initiate(&config.id).state(ConnectionState::api_key("ghp_loop_key")).await.unwrap();
    let account = request.wait().await.unwrap().id;
    let trigger_id = client
        .trigger_instances()
        .upsert::<github::CommitEventConfig>(&github::CommitEventConfig::new("octocat", "hello-world"))
        .await
        .unwrap();

    let fire = |id: &str| Delivery::trigger("GITHUB_COMMIT_EVENT", commit(id)).from_instance(&trigger_id, &account);
    let v3 = server.deliver(fire("c3")).await.unwrap();
    assert_eq!(v3.status, 200);
    assert_eq!(server.deliver(fire("c2").version("V2")).await.unwrap().status, 200);
    assert_eq!(server.deliver(fire("c1").version("V1")).await.unwrap().status, 200);
    // A retry keeps its id: acknowledged, not handled twice.
    assert_eq!(server.deliver(fire("c3").retry_of(&v3)).await.unwrap().status, 200);
    // A body changed after signing is refused.
    assert_eq!(server.deliver(fire("evil").tampered()).await.unwrap().status, 401);
    let commits = received.lock().unwrap().commits.clone();
    assert_eq!(
        commits,
        [("c3".into(), PayloadVersion::V3), ("c2".into(), PayloadVersion::V2), ("c1".into(), PayloadVersion::V1)]
    );

    // After a rotation the old secret no longer verifies; the new one does.
    let rotated = subscriptions.rotate_secret(&subscription.id).await.unwrap();
    assert_ne!(rotated.secret, secret);
    assert_eq!(
        server.deliver(fire("c4")).await.unwrap().status,
        401,
        "signed with the new secret, checked with the old"
    );
    *verifier.lock().unwrap() = Verifier::new(rotated.secret.clone());
    assert_eq!(server.deliver(fire("c4")).await.unwrap().status, 200);

    // Updates: a version change shows in the next delivery; an empty update is refused locally.
    let updated = subscriptions.update(&subscription.id, &SubscriptionUpdate::new().version(PayloadVersion::V2)).await;
    assert_eq!(updated.unwrap().version.as_deref(), Some("V2"));
    assert_eq!(server.deliver(fire("c5")).await.unwrap().status, 200);
    assert_eq!(received.lock().unwrap().commits.last(), Some(&("c5".into(), PayloadVersion::V2)));
    let empty = subscriptions.update(&subscription.id, &SubscriptionUpdate::new()).await;
    assert!(matches!(empty, Err(Error::Config(_))));
    assert_eq!(server.count(Route::UpdateWebhookSubscription), 1);
    subscriptions.delete(&subscription.id).await.unwrap();
    assert!(server.deliver(fire("c6")).await.is_err(), "no subscription, nothing to deliver to");
}
