//! The axum route against deliveries the local server signs and fires: 204 when the handler
//! succeeds, 401 on a bad signature, 500 when the handler fails (so Composio retries), 413
//! over the body limit; retries carry the same delivery id.

mod common;

use std::sync::{Arc, Mutex};

use common::{API_KEY, builder};
use composio_testserver::{Delivery, TestServer};
use composio_typed::toolkits::github;
use composio_typed::triggers::axum::{Delivery as Received, webhook_with_limit};
use composio_typed::triggers::{Event, PayloadVersion, Verifier};
use serde_json::{Value, json};

/// What the handler saw: the delivery id, the attempt and the commit id.
type Handled = (String, Option<u32>, String);

fn commit(id: &str, message: &str) -> Value {
    json!({"author": "octocat", "id": id, "message": message, "timestamp": "t", "url": "u"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_route_verifies_decodes_and_answers_by_the_handler() {
    let server = TestServer::builder().api_key(API_KEY).start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/composio", listener.local_addr().unwrap());
    let client = builder(&server).build().unwrap();
    let subscription =
        client.webhook_subscriptions().create(&url, ["composio.trigger.message"], PayloadVersion::V3).await.unwrap();
    let verifier = Verifier::new(subscription.secret.unwrap());

    let handled: Arc<Mutex<Vec<Handled>>> = Arc::default();
    let log = handled.clone();
    let route = webhook_with_limit(verifier, 2048, move |delivery: Received| {
        let log = log.clone();
        async move {
            let Event::Trigger(fired) = &delivery.event else { return Err("not a trigger event".to_owned()) };
            let github::Event::CommitEvent(commit) = github::Event::decode(fired).map_err(|e| e.to_string())? else {
                return Err("not a commit".to_owned());
            };
            if commit.message == "fail" {
                return Err("the handler failed".to_owned());
            }
            log.lock().unwrap().push((delivery.delivery_id.clone(), delivery.attempt, commit.id.clone()));
            Ok(())
        }
    });
    let app = axum::Router::new().route("/hooks/composio", route);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let fire = |id: &str, message: &str| Delivery::trigger("GITHUB_COMMIT_EVENT", commit(id, message));
    let first = server.deliver(fire("a1", "ok")).await.unwrap();
    assert_eq!(first.status, 204);
    assert_eq!(server.deliver(fire("a1", "ok").retry_of(&first)).await.unwrap().status, 204);
    assert_eq!(server.deliver(fire("a2", "ok").version("V1")).await.unwrap().status, 204);
    assert_eq!(server.deliver(fire("evil", "ok").tampered()).await.unwrap().status, 401);
    assert_eq!(server.deliver(fire("a3", "fail")).await.unwrap().status, 500, "a failed handler is retried");
    assert_eq!(server.deliver(fire("big", &"x".repeat(4096))).await.unwrap().status, 413);

    let handled = handled.lock().unwrap().clone();
    let ids: Vec<&str> = handled.iter().map(|(_, _, id)| id.as_str()).collect();
    assert_eq!(ids, ["a1", "a1", "a2"]);
    assert_eq!(handled[0].0, handled[1].0, "a retry has the same delivery id");
    assert_eq!((handled[0].1, handled[1].1), (Some(1), Some(2)));
}
