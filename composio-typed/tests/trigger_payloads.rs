//! The generated trigger types of the committed github and gmail modules against the real
//! trigger types: same slugs, same payload fields and types, and deliveries built from the
//! real payload schemas decode into the generated payload types.

#[path = "common/trigger_bodies.rs"]
mod bodies;

use bodies::{body, real_trigger_types, sample};
use composio_typed::toolkits::{github, gmail};
use composio_typed::triggers::{Event, PayloadVersion, TriggerType};
use serde_json::Value;

/// Each property's name with its JSON type (the non-null branch of an `anyOf`).
fn fields(schema: &Value) -> Vec<(String, String)> {
    let props = schema["properties"].as_object().cloned().unwrap_or_default();
    let ty = |p: &Value| -> String {
        match p.get("anyOf").and_then(Value::as_array) {
            Some(branches) => {
                branches.iter().map(|b| b["type"].as_str().unwrap_or("any")).collect::<Vec<_>>().join("|")
            }
            None => p["type"].as_str().unwrap_or("any").to_owned(),
        }
    };
    props.iter().map(|(k, v)| (k.clone(), ty(v))).collect()
}

fn required(schema: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        schema["required"].as_array().into_iter().flatten().filter_map(|v| v.as_str()).map(str::to_owned).collect();
    out.sort();
    out
}

/// The committed cache's schemas of a trigger type, by slug.
fn committed(slug: &str) -> Option<(Value, Value)> {
    fn of<T: TriggerType>() -> (Value, Value) {
        (serde_json::from_str(T::CONFIG_SCHEMA).unwrap(), serde_json::from_str(T::PAYLOAD_SCHEMA).unwrap())
    }
    Some(match slug {
        github::CommitEventConfig::SLUG => of::<github::CommitEventConfig>(),
        github::FollowerEventConfig::SLUG => of::<github::FollowerEventConfig>(),
        github::IssueAddedEventConfig::SLUG => of::<github::IssueAddedEventConfig>(),
        github::LabelAddedEventConfig::SLUG => of::<github::LabelAddedEventConfig>(),
        github::PullRequestEventConfig::SLUG => of::<github::PullRequestEventConfig>(),
        github::StarAddedEventConfig::SLUG => of::<github::StarAddedEventConfig>(),
        gmail::NewGmailMessageConfig::SLUG => of::<gmail::NewGmailMessageConfig>(),
        _ => return None,
    })
}

#[test]
fn the_committed_trigger_types_match_the_real_ones_field_for_field() {
    let Some(real) = real_trigger_types() else { return };
    let mut slugs: Vec<&str> = github::Event::SLUGS.iter().chain(gmail::Event::SLUGS).copied().collect();
    slugs.sort_unstable();
    let mut real_slugs: Vec<&str> = real.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    real_slugs.sort_unstable();
    assert_eq!(slugs, real_slugs);
    for trigger in &real {
        let slug = trigger["slug"].as_str().unwrap();
        let (config, payload) = committed(slug).unwrap_or_else(|| panic!("{slug} has no generated marker"));
        assert_eq!(fields(&config), fields(&trigger["config"]), "{slug} config");
        assert_eq!(required(&config), required(&trigger["config"]), "{slug} config");
        assert_eq!(fields(&payload), fields(&trigger["payload"]), "{slug} payload");
        assert_eq!(required(&payload), required(&trigger["payload"]), "{slug} payload");
    }
}

#[test]
fn deliveries_built_from_the_real_payload_schemas_decode_into_the_generated_types() {
    let Some(real) = real_trigger_types() else { return };
    for trigger in &real {
        let slug = trigger["slug"].as_str().unwrap();
        let data = sample(&trigger["payload"]);
        for version in [PayloadVersion::V1, PayloadVersion::V2, PayloadVersion::V3] {
            let raw = body(version, slug, &data).to_string();
            let Event::Trigger(event) = Event::from_slice(raw.as_bytes(), Some("msg_h")).unwrap() else {
                panic!("{slug}: not a trigger event")
            };
            let known = if slug.starts_with("GITHUB_") {
                !matches!(
                    github::Event::decode(&event).unwrap_or_else(|e| panic!("{slug}: {e}")),
                    github::Event::Unknown(_)
                )
            } else {
                !matches!(
                    gmail::Event::decode(&event).unwrap_or_else(|e| panic!("{slug}: {e}")),
                    gmail::Event::Unknown(_)
                )
            };
            assert!(known, "{slug} {version:?} decoded as Unknown");
        }
    }
    // A typed read of one real payload, and another toolkit's event left whole.
    let star = real.iter().find(|t| t["slug"] == "GITHUB_STAR_ADDED_EVENT").unwrap();
    let data = sample(&star["payload"]);
    let Event::Trigger(event) =
        Event::from_value(body(PayloadVersion::V3, "GITHUB_STAR_ADDED_EVENT", &data), None).unwrap()
    else {
        panic!("not a trigger event")
    };
    let github::Event::StarAddedEvent(payload) = github::Event::decode(&event).unwrap() else {
        panic!("wrong variant")
    };
    assert_eq!(payload.repository_id, data["repository_id"].as_i64().unwrap());
    assert!(matches!(gmail::Event::decode(&event).unwrap(), gmail::Event::Unknown(_)));
    assert_eq!(event.payload_of::<github::StarAddedEventConfig>().unwrap(), *payload);
}

#[test]
fn a_generated_payload_that_does_not_fit_keeps_its_json_and_path_and_configs_serialize() {
    let data = serde_json::json!({"action": "created", "repository_id": "nine", "repository_name": "o/r",
        "repository_url": "u", "starred_at": "t", "starred_by": "b", "new_field": 1});
    let Event::Trigger(event) =
        Event::from_value(body(PayloadVersion::V3, "GITHUB_STAR_ADDED_EVENT", &data), None).unwrap()
    else {
        panic!("not a trigger event")
    };
    let Err(composio_typed::Error::Decode(err)) = github::Event::decode(&event) else {
        panic!("a string id must not decode")
    };
    assert_eq!((err.path.as_str(), &err.raw), ("repository_id", &data));

    let config = serde_json::to_value(github::CommitEventConfig::new("octocat", "hello-world")).unwrap();
    assert_eq!(config, serde_json::json!({"owner": "octocat", "repo": "hello-world"}));
    let gmail_config =
        serde_json::to_value(gmail::NewGmailMessageConfig::new().label_ids("INBOX").interval(15.0)).unwrap();
    assert_eq!(gmail_config, serde_json::json!({"labelIds": "INBOX", "interval": 15.0}));
}
