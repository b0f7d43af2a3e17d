//! Webhook deliveries built from the real trigger types' payload schemas, in all three payload
//! versions, signed, verified and read back as one normalised event.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use composio_typed::triggers::{
    Event, HEADER_ATTEMPT, HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, PayloadVersion, TriggerType, Verifier,
    VerifyError,
};
use composio_typed::{Error, JsonObject};
use serde_json::json;

#[path = "common/trigger_bodies.rs"]
mod bodies;

use bodies::{body, real_trigger_types, sample};

const SECRET: &str = "whsec_corpus_test";
const NOW: u64 = 1_767_225_600;

fn deliver(verifier: &Verifier, raw: &[u8], signature: &str, id: &str) -> Result<Event, String> {
    let ts = NOW.to_string();
    let header = |name: &str| match name {
        HEADER_ID => Some(id),
        HEADER_TIMESTAMP => Some(ts.as_str()),
        HEADER_SIGNATURE => Some(signature),
        HEADER_ATTEMPT => Some("1"),
        _ => None,
    };
    let verified =
        verifier.verify_at(header, raw, UNIX_EPOCH + Duration::from_secs(NOW + 30)).map_err(|e| e.to_string())?;
    Event::from_slice(raw, Some(&verified.delivery_id)).map_err(|e| e.to_string())
}

#[test]
fn deliveries_of_every_real_trigger_type_verify_and_normalise_in_every_version() {
    let Some(types) = real_trigger_types() else { return };
    assert_eq!(types.len(), 7);
    let verifier = Verifier::new(SECRET);
    for trigger in &types {
        let slug = trigger["slug"].as_str().unwrap();
        let data = sample(&trigger["payload"]);
        for version in [PayloadVersion::V1, PayloadVersion::V2, PayloadVersion::V3] {
            let raw = body(version, slug, &data).to_string();
            let signature = verifier.sign("msg_h", NOW, raw.as_bytes());
            let event =
                deliver(&verifier, raw.as_bytes(), &signature, "msg_h").unwrap_or_else(|e| panic!("{slug}: {e}"));
            let Event::Trigger(event) = event else { panic!("{slug} {version:?}: not a trigger event") };
            assert_eq!(
                (event.version, event.trigger_slug.as_str(), event.trigger_id.as_str()),
                (version, slug, "ti_1")
            );
            assert_eq!(event.connected_account_id.as_deref(), Some("ca_1"));
            assert_eq!(event.user_id, None);
            assert_eq!(event.data, data, "{slug} {version:?}");
            let expected_id =
                if version == PayloadVersion::V3 { "msg_00000000-0000-4000-8000-000000000001" } else { "msg_h" };
            assert_eq!(event.delivery_id.as_deref(), Some(expected_id));
            let object: JsonObject = event.payload().unwrap();
            assert_eq!(object.len(), trigger["payload"]["properties"].as_object().unwrap().len(), "{slug}");

            let tampered = raw.replacen("ti_1", "ti_2", 1);
            assert_eq!(
                deliver(&verifier, tampered.as_bytes(), &signature, "msg_h").unwrap_err(),
                VerifyError::NoMatch.to_string()
            );
            let wrong = Verifier::new("whsec_someone_else");
            assert_eq!(
                deliver(&wrong, raw.as_bytes(), &signature, "msg_h").unwrap_err(),
                VerifyError::NoMatch.to_string()
            );
        }
    }
}

/// A hand-typed payload of `GITHUB_STAR_ADDED_EVENT`, as generated code would have it.
#[derive(Debug, serde::Deserialize, PartialEq)]
struct StarAdded {
    action: String,
    repository_id: i64,
    repository_name: String,
    starred_by: String,
}

struct StarAddedEvent;

impl TriggerType for StarAddedEvent {
    const SLUG: &'static str = "GITHUB_STAR_ADDED_EVENT";
    const TOOLKIT: &'static str = "github";
    const VERSION: &'static str = "20251027_00";
    const CONFIG_SCHEMA: &'static str = "{}";
    const PAYLOAD_SCHEMA: &'static str = "{}";
    type Config = JsonObject;
    type Payload = StarAdded;
}

#[test]
fn a_real_payload_decodes_into_its_type_and_a_misfit_keeps_its_json_and_path() {
    let Some(types) = real_trigger_types() else { return };
    let star = types.iter().find(|t| t["slug"] == "GITHUB_STAR_ADDED_EVENT").unwrap();
    let data = sample(&star["payload"]);
    let Event::Trigger(event) = Event::from_value(body(PayloadVersion::V3, StarAddedEvent::SLUG, &data), None).unwrap()
    else {
        panic!("not a trigger event")
    };
    assert!(event.is::<StarAddedEvent>());
    let payload = event.payload_of::<StarAddedEvent>().unwrap();
    assert_eq!(payload.repository_id, data["repository_id"].as_i64().unwrap());

    let mut bad = data.clone();
    bad["repository_id"] = json!("not a number");
    let mut misfit = event.clone();
    misfit.data = bad.clone();
    let Err(Error::Decode(err)) = misfit.payload_of::<StarAddedEvent>() else { panic!("a string id must not decode") };
    assert_eq!((err.path.as_str(), &err.raw), ("repository_id", &bad));

    let mut commit = event;
    commit.trigger_slug = "GITHUB_COMMIT_EVENT".into();
    assert!(!commit.is::<StarAddedEvent>());
    assert!(matches!(commit.payload_of::<StarAddedEvent>(), Err(Error::Decode(_))), "another trigger's event");
}

#[test]
fn old_and_missing_headers_are_refused_before_the_body_is_read() {
    let verifier = Verifier::new(SECRET);
    let raw = br#"{"trigger_name":"X","trigger_id":"ti_1","payload":{}}"#;
    let old = NOW - 600;
    let signature = verifier.sign("msg_h", old, raw);
    let ts = old.to_string();
    let header = |name: &str| match name {
        HEADER_ID => Some("msg_h"),
        HEADER_TIMESTAMP => Some(ts.as_str()),
        HEADER_SIGNATURE => Some(signature.as_str()),
        _ => None,
    };
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    assert!(matches!(verifier.verify_at(header, raw, now), Err(VerifyError::TooOld { age_secs: 600, .. })));
    assert!(verifier.clone().tolerance(Duration::ZERO).verify_at(header, raw, now).is_ok());
    let no_signature = |name: &str| if name == HEADER_SIGNATURE { None } else { header(name) };
    assert_eq!(verifier.verify_at(no_signature, raw, now), Err(VerifyError::MissingHeader(HEADER_SIGNATURE)));
    // The real clock: a delivery signed now passes `verify`.
    let now_secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let fresh_sig = verifier.sign("msg_h", now_secs, raw);
    let fresh_ts = now_secs.to_string();
    let fresh = |name: &str| match name {
        HEADER_TIMESTAMP => Some(fresh_ts.as_str()),
        HEADER_SIGNATURE => Some(fresh_sig.as_str()),
        _ => header(name),
    };
    assert_eq!(verifier.verify(fresh, raw).unwrap().timestamp, now_secs);
}
