//! The live schema commands against composio-testserver serving the real corpus: fetching,
//! pagination, version resolution, lock semantics, failures that must leave every file as it
//! was, and drift.

#![cfg(feature = "live")]

mod live_common;

use composio_codegen::__private::render_tools;
use composio_codegen::drift::{Change, FailOn};
use composio_codegen::fetch::{FetchError, FetchOptions};
use composio_codegen::live::{Live, LiveOptions, Pinned, Want};
use composio_codegen::source::{ApiSource, SchemaCache, SchemaSource};
use composio_testserver::{Fault, FaultRule, Route, TestServer};
use composio_typed::{ApiKey, ApiPrefix, Client};
use live_common::*;
use serde_json::{Value, json};

fn pinned(toolkit: &str, previous: Option<&str>, version: &str, tools: usize) -> Pinned {
    Pinned { toolkit: toolkit.into(), previous: previous.map(Into::into), version: version.into(), tools }
}

fn served(server: &TestServer, route: Route) -> Vec<Vec<(String, String)>> {
    server.requests_for(route).into_iter().map(|r| r.query).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpinned_toolkit_is_fetched_pinned_and_generated() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server().start().await;
    let ws = Workspace::new();
    let live = live(&ws, &server);
    let plan = live.plan(&["google_maps".into()], false, &[]).unwrap();
    assert_eq!(plan.toolkits, [("google_maps".to_owned(), Want::Add)]);
    let synced = live.sync(&plan).await.unwrap();
    assert_eq!(synced.pins, [pinned("google_maps", None, V1, 7)]);

    assert_eq!(
        ws.lock_text(),
        format!(
            "# Composio toolkit versions pinned for code generation.\n\
             # Managed by composio-codegen (--pin, --update); each toolkit's tool schemas are in\n\
             # <toolkit>/<version>.json beside this file.\n\n[toolkits]\ngoogle_maps = \"{V1}\"\n"
        )
    );
    // The cache holds the tools exactly as served, in the canonical format.
    let cache = std::fs::read_to_string(ws.schemas().join(format!("google_maps/{V1}.json"))).unwrap();
    let tools: Vec<Value> = serde_json::from_str(&cache).unwrap();
    assert_eq!(tools.len(), 7);
    assert_eq!(render_tools(&tools), cache);
    assert_eq!(tools[0]["toolkit"]["slug"], "google_maps");
    // The module written is the one the cache generates, so regenerating later changes nothing.
    let module = std::fs::read_to_string(ws.out().join("google_maps.rs")).unwrap();
    let again = ws.config().generate(&["google_maps"]).unwrap();
    assert_eq!(again[0].code, module);
    assert!(ws.config().check(&["google_maps"]).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_followed_to_the_end() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server().start().await;
    let ws = Workspace::new();
    let fetch = FetchOptions { page_size: 5, concurrency: 4 };
    let live = live_with(&ws, &server, fetch);
    let plan = live.plan(&["googledrive".into()], false, &[]).unwrap();
    live.sync(&plan).await.unwrap();
    let pages = served(&server, Route::ListTools);
    assert_eq!(pages.len(), 11, "51 tools in pages of 5");
    assert_eq!(pages.iter().filter(|q| q.iter().any(|(k, _)| k == "cursor")).count(), 10);
    assert!(pages.iter().all(|q| q.contains(&("limit".into(), "5".into()))));
    let text = std::fs::read_to_string(ws.schemas().join(format!("googledrive/{V1}.json"))).unwrap();
    let tools: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut slugs: Vec<&str> = tools.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs.len(), 51);
    slugs.dedup();
    assert_eq!(slugs.len(), 51, "no page twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latest_resolves_to_a_concrete_version_sent_in_bracket_notation() {
    if corpus_missing() {
        return;
    }
    let maps = corpus_toolkit("google_maps");
    let newer = revised(&maps[..2], V2, |t| t["description"] = json!("revised"));
    let server = corpus_server().tools(newer).start().await;
    let ws = Workspace::new();
    let live = live(&ws, &server);

    let plan = live.plan(&["google_maps".into()], false, &[]).unwrap();
    let synced = live.sync(&plan).await.unwrap();
    assert_eq!(synced.pins[0].version, V2);
    let toolkit_queries = served(&server, Route::GetToolkit);
    assert_eq!(toolkit_queries, [vec![("version".to_owned(), "latest".to_owned())]]);
    for query in served(&server, Route::ListTools) {
        assert!(query.contains(&("toolkit_slug".into(), "google_maps".into())), "{query:?}");
        assert!(query.contains(&("toolkit_versions[google_maps]".into(), V2.into())), "{query:?}");
        assert!(!query.iter().any(|(k, v)| k == "toolkit_versions" || v == "latest"), "{query:?}");
    }
    let cached = SchemaCache::new(ws.schemas()).load(&["google_maps".into()]).unwrap();
    assert_eq!(cached[0].version, V2);
    assert_eq!(cached[0].tools.iter().filter(|t| t.description == "revised").count(), 2);

    // An explicit pin fetches that version: the snapshot without the revisions.
    server.clear_requests();
    let plan = live.plan(&[], false, &[("google_maps".into(), V1.into())]).unwrap();
    let synced = live.sync(&plan).await.unwrap();
    assert_eq!(synced.pins, [pinned("google_maps", Some(V2), V1, 7)]);
    assert_eq!(served(&server, Route::GetToolkit), [vec![("version".to_owned(), V1.to_owned())]]);
    assert!(served(&server, Route::ListTools)[0].contains(&("toolkit_versions[google_maps]".into(), V1.into())));
    assert!(ws.lock_text().contains(&format!("google_maps = \"{V1}\"")));
    assert!(!ws.schemas().join(format!("google_maps/{V2}.json")).exists(), "the unpinned version's file is removed");
    let cached = SchemaCache::new(ws.schemas()).load(&["google_maps".into()]).unwrap();
    assert!(cached[0].tools.iter().all(|t| t.description != "revised"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_and_v3_1_answer_alike() {
    if corpus_missing() {
        return;
    }
    let maps = corpus_toolkit("google_maps");
    let server = corpus_server().tools(revised(&maps[..1], V2, |_| {})).start().await;
    let mut texts = Vec::new();
    for prefix in [ApiPrefix::V3, ApiPrefix::V3_1] {
        server.clear_requests();
        let ws = Workspace::new();
        let live = Live::new(ws.config(), LiveOptions { api_prefix: prefix, ..options(&server) });
        let plan = live.plan(&[], false, &[("google_maps".into(), V1.into())]).unwrap();
        live.sync(&plan).await.unwrap();
        assert!(server.requests().iter().all(|r| r.path.starts_with(&format!("{}/", prefix.as_str()))));
        texts.push(ws.snapshot());
    }
    assert_eq!(texts[0], texts[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_toolkits_and_versions_are_clear_errors() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server().start().await;
    let ws = Workspace::new();
    let live = live(&ws, &server);
    let plan = live.plan(&["no_such_toolkit".into()], false, &[]).unwrap();
    let err = live.sync(&plan).await.unwrap_err();
    assert!(matches!(err, FetchError::UnknownToolkit { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "unknown toolkit `no_such_toolkit`: the Composio API answered: Toolkit no_such_toolkit not found"
    );

    let plan = live.plan(&[], false, &[("google_maps".into(), "20990101_00".into())]).unwrap();
    let err = live.sync(&plan).await.unwrap_err();
    assert_eq!(err.to_string(), format!("toolkit `google_maps` has no version `20990101_00`; available: {V1}"));
    assert!(ws.snapshot().is_empty(), "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_a_401_that_never_shows_the_key() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server().start().await;
    let ws = Workspace::new();
    let secret = "sk_live_abcdefghijklmnop";
    let options = LiveOptions { api_key: Some(ApiKey::new(secret)), ..options(&server) };
    let live = Live::new(ws.config(), options);
    let plan = live.plan(&["google_maps".into()], false, &[]).unwrap();
    let err = live.sync(&plan).await.unwrap_err();
    let text = err.to_string();
    assert!(matches!(&err, FetchError::Api { source, .. } if source.status() == Some(401)), "{err:?}");
    assert!(text.contains("HTTP 401") && text.ends_with("(check COMPOSIO_API_KEY)"), "{text}");
    assert!(!text.contains(secret) && !format!("{err:?}").contains(secret), "{text}");
    assert_eq!(server.count(Route::GetToolkit), 1, "a 401 is not retried");
    assert!(ws.snapshot().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_in_the_middle_of_paging_is_retried() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server()
        .fault(FaultRule::new(Route::ListTools, Fault::rate_limited(0)).skip(3))
        .fault(FaultRule::new(Route::ListTools, Fault::rate_limited_edge()).skip(6))
        .start()
        .await;
    let ws = Workspace::new();
    let live = live_with(&ws, &server, FetchOptions { page_size: 5, concurrency: 1 });
    let plan = live.plan(&["googledrive".into()], false, &[]).unwrap();
    live.sync(&plan).await.unwrap();
    assert_eq!(server.count(Route::ListTools), 13, "11 pages and 2 retries");
    let tools: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(ws.schemas().join(format!("googledrive/{V1}.json"))).unwrap())
            .unwrap();
    assert_eq!(tools.len(), 51);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_dies_mid_fetch_leaves_cache_lock_and_modules_untouched() {
    if corpus_missing() {
        return;
    }
    let ws = Workspace::new();
    {
        let server = corpus_server().start().await;
        pin_latest(&ws, &server, &["google_maps", "google_analytics"]).await;
    }
    let before = ws.snapshot();
    assert_eq!(before.len(), 7, "{:?}", before.keys().collect::<Vec<_>>());

    // A newer version exists, and the server stops answering after two listing requests.
    let maps = corpus_toolkit("google_maps");
    let analytics = corpus_toolkit("google_analytics");
    let server = corpus_server()
        .tools(revised(&maps, V2, |t| t["description"] = json!("v2")))
        .tools(revised(&analytics, V2, |t| t["description"] = json!("v2")))
        .fault(FaultRule::new(Route::ListTools, Fault::DropConnection).skip(2).forever())
        .start()
        .await;
    let live = live_with(&ws, &server, FetchOptions { page_size: 2, concurrency: 2 });
    let plan = live.plan(&[], true, &[]).unwrap();
    assert_eq!(plan.toolkits.len(), 2, "--update with no names: every pinned toolkit");
    let err = live.sync(&plan).await.unwrap_err();
    assert!(matches!(err, FetchError::Api { .. }), "{err:?}");
    assert_eq!(ws.snapshot(), before, "byte-for-byte unchanged, no temporary files left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_with_no_names_moves_every_pin_and_removes_old_files() {
    if corpus_missing() {
        return;
    }
    let ws = Workspace::new();
    {
        let server = corpus_server().start().await;
        pin_latest(&ws, &server, &["google_maps", "google_analytics"]).await;
    }
    let maps = corpus_toolkit("google_maps");
    let server = corpus_server()
        .tools(revised(&maps[..1], V2, |t| t["input_parameters"]["properties"]["extra"] = json!({"type": "string"})))
        .toolkit_versions("google_analytics", &[V2])
        .start()
        .await;
    let live = live(&ws, &server);
    let plan = live.plan(&[], true, &[]).unwrap();
    let synced = live.sync(&plan).await.unwrap();
    let mut pins = synced.pins.clone();
    pins.sort();
    assert_eq!(pins, [pinned("google_analytics", Some(V1), V2, 4), pinned("google_maps", Some(V1), V2, 7)]);
    assert!(ws.lock_text().ends_with(&format!("[toolkits]\ngoogle_analytics = \"{V2}\"\ngoogle_maps = \"{V2}\"\n")));
    let files: Vec<String> = ws.snapshot().keys().map(|p| p.display().to_string()).collect();
    assert_eq!(
        files,
        [
            "out/google_analytics.rs".to_owned(),
            "out/google_maps.rs".to_owned(),
            "schemas/composio.lock".to_owned(),
            format!("schemas/google_analytics/{V2}.json"),
            "schemas/google_analytics/names.toml".to_owned(),
            format!("schemas/google_maps/{V2}.json"),
            "schemas/google_maps/names.toml".to_owned(),
        ]
    );
    let module = std::fs::read_to_string(ws.out().join("google_maps.rs")).unwrap();
    assert!(module.contains(V2));
    assert!(ws.config().check(&["google_maps", "google_analytics"]).unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinned_toolkits_need_no_key_and_no_network() {
    if corpus_missing() {
        return;
    }
    let ws = Workspace::new();
    let server = corpus_server().start().await;
    pin_latest(&ws, &server, &["google_maps"]).await;
    server.clear_requests();
    let live = Live::new(ws.config(), LiveOptions::default());
    let plan = live.plan(&["google_maps".into()], false, &[]).unwrap();
    assert!(!plan.fetches());
    let prepared = live.prepare(&plan).await.unwrap();
    assert_eq!(prepared.modules.len(), 1);
    assert!(server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpinned_toolkit_without_a_key_says_what_to_do() {
    if corpus_missing() {
        return;
    }
    let ws = Workspace::new();
    let server = corpus_server().start().await;
    pin_latest(&ws, &server, &["google_maps"]).await;
    let live = Live::new(ws.config(), LiveOptions::default());
    let plan = live.plan(&["google_maps".into(), "google_admin".into()], false, &[]).unwrap();
    let err = live.sync(&plan).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "toolkit `google_admin` is not pinned in {lock} (pinned: google_maps), and COMPOSIO_API_KEY is not set \
             to fetch it.\nTo fetch the latest version, pin it and generate: set COMPOSIO_API_KEY to your Composio \
             API key and run `composio-codegen google_maps google_admin` again.\nTo pin a given version instead: \
             `composio-codegen --pin google_admin=VERSION`. To generate from a file of tool definitions: add --from FILE.",
            lock = ws.schemas().join("composio.lock").display()
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_lists_tools_and_fields_of_a_hand_modified_cache() {
    if corpus_missing() {
        return;
    }
    let ws = Workspace::new();
    let server = corpus_server().start().await;
    pin_latest(&ws, &server, &["google_maps"]).await;
    let live = live(&ws, &server);
    let clean = live.drift(&[]).await.unwrap();
    assert!(!clean.fails(FailOn::Any), "{clean}");
    assert_eq!(clean.toolkits[0].against_latest, None, "latest is the pinned version");

    // Edit the cache as if the API had changed under it (the comparison is symmetric).
    let path = ws.schemas().join(format!("google_maps/{V1}.json"));
    let mut tools: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    tools.retain(|t| t["slug"] != "GOOGLE_MAPS_TEXT_SEARCH");
    let direction = tools.iter_mut().find(|t| t["slug"] == "GOOGLE_MAPS_GET_DIRECTION").unwrap();
    let props = direction["input_parameters"]["properties"].as_object_mut().unwrap();
    props.remove("waypoints"); // the API has a field the cache lacks
    props.insert("via".into(), json!({"type": "string"})); // the cache has one the API lacks
    props["units"]["type"] = json!("integer");
    direction["input_parameters"]["required"] = json!(["origin"]); // the API requires `destination` too
    let mut fake = tools[0].clone();
    fake["slug"] = json!("GOOGLE_MAPS_RETIRED");
    tools.push(fake);
    std::fs::write(&path, render_tools(&tools)).unwrap();

    let report = live.drift(&["google_maps".into()]).await.unwrap();
    let pinned = &report.toolkits[0].against_pinned;
    assert_eq!(pinned.added, ["GOOGLE_MAPS_TEXT_SEARCH"]);
    assert_eq!(pinned.removed, ["GOOGLE_MAPS_RETIRED"]);
    assert_eq!(pinned.changed.len(), 1);
    let fields: Vec<(&str, &Change, bool)> =
        pinned.changed[0].fields.iter().map(|f| (f.pointer.as_str(), &f.change, f.breaking)).collect();
    assert_eq!(
        fields,
        [
            ("/input_parameters/properties/destination", &Change::NewlyRequired, true),
            (
                "/input_parameters/properties/units",
                &Change::Retyped { from: "integer".into(), to: "string".into() },
                true
            ),
            ("/input_parameters/properties/via", &Change::Removed { ty: "string".into(), required: false }, true),
            (
                "/input_parameters/properties/waypoints",
                &Change::Added { ty: "null|string".into(), required: false },
                false
            ),
        ]
    );
    assert!(report.fails(FailOn::Any) && report.fails(FailOn::Pinned) && report.fails(FailOn::Breaking));
    let text = report.to_string();
    assert!(text.starts_with(&format!("google_maps: pinned {V1}, latest {V1}\n")), "{text}");
    assert!(text.contains("        /input_parameters/properties/destination: newly required  [breaking]\n"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_against_a_newer_latest() {
    if corpus_missing() {
        return;
    }
    let ws = Workspace::new();
    {
        let server = corpus_server().start().await;
        pin_latest(&ws, &server, &["google_maps"]).await;
    }
    let maps = corpus_toolkit("google_maps");
    let server = corpus_server()
        .tools(revised(&maps[..1], V2, |t| {
            t["input_parameters"]["properties"]["extra"] = json!({"type": "boolean"});
        }))
        .start()
        .await;
    let report = live(&ws, &server).drift(&[]).await.unwrap();
    let drift = &report.toolkits[0];
    assert_eq!((drift.pinned.as_str(), drift.latest.as_str()), (V1, V2));
    assert!(!drift.against_pinned.is_drift());
    let latest = drift.against_latest.as_ref().unwrap();
    assert_eq!(latest.changed.len(), 1);
    assert_eq!(latest.changed[0].fields[0].pointer, "/input_parameters/properties/extra");
    assert!(!latest.is_breaking());
    assert!(report.fails(FailOn::Any));
    assert!(!report.fails(FailOn::Pinned));
    assert!(!report.fails(FailOn::Breaking));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_reports_a_withdrawn_pinned_version_instead_of_failing() {
    if corpus_missing() {
        return;
    }
    let ws = Workspace::new();
    {
        let server = corpus_server().start().await;
        pin_latest(&ws, &server, &["google_maps"]).await;
    }
    // The API now serves google_maps only at V2, unchanged: V1, the pinned one, is gone.
    let maps = corpus_toolkit("google_maps");
    let others = corpus_tools().iter().filter(|t| !t["slug"].as_str().unwrap().starts_with("GOOGLE_MAPS_")).cloned();
    let server = TestServer::builder()
        .tools(others)
        .tools(revised(&maps, V2, |_| {}))
        .default_version(V1)
        .toolkits_file(corpus_dir().join("toolkits.json"))
        .start()
        .await;
    let report = live(&ws, &server).drift(&[]).await.unwrap();
    let drift = &report.toolkits[0];
    assert_eq!((drift.pinned.as_str(), drift.latest.as_str()), (V1, V2));
    assert!(drift.against_pinned.withdrawn);
    assert_eq!(drift.against_pinned.removed.len(), maps.len());
    assert!(!drift.against_latest.as_ref().unwrap().is_drift(), "latest serves the same tools");
    assert!(report.fails(FailOn::Pinned) && report.fails(FailOn::Breaking));
    let text = report.to_string();
    assert!(
        text.contains(&format!(
            "(pinned): version {V1} is no longer served by the API: all {} cached tools are gone (BREAKING)\n",
            maps.len()
        )),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_source_is_a_schema_source() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server().start().await;
    let client = Client::builder().api_key(server.api_key()).base_url(server.base_url()).build().unwrap();
    let source = ApiSource::new(client, FetchOptions::default()).version("google_analytics", V1);
    let loaded = source.load(&["google_maps".into(), "google_analytics".into()]).unwrap();
    assert_eq!(
        loaded.iter().map(|s| (s.toolkit.as_str(), s.tools.len())).collect::<Vec<_>>(),
        [("google_maps", 7), ("google_analytics", 4)]
    );
    let err = source.load(&["no_such_toolkit".into()]).unwrap_err();
    assert!(err.to_string().starts_with("unknown toolkit `no_such_toolkit`"), "{err}");
}

/// A trigger type of `google_maps` at `version`, with `payload` as its payload properties.
fn maps_trigger(slug: &str, version: &str, payload: Value) -> Value {
    json!({"slug": slug, "name": slug, "description": "Fires.", "type": "poll", "version": version,
        "toolkit": {"slug": "google_maps", "name": "google_maps", "logo": ""},
        "config": {"type": "object", "properties": {"interval": {"type": "number", "default": 15}}},
        "payload": {"type": "object", "properties": payload, "required": ["place_id"]}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_types_are_fetched_every_page_cached_beside_the_tools_and_drift_is_reported() {
    if corpus_missing() {
        return;
    }
    let triggers = [
        maps_trigger(
            "GOOGLE_MAPS_PLACE_OPENED",
            V1,
            json!({"place_id": {"type": "string"}, "rating": {"type": "number"}}),
        ),
        maps_trigger("GOOGLE_MAPS_PLACE_CLOSED", V1, json!({"place_id": {"type": "string"}})),
        // Another version and another toolkit: neither is this pin's.
        maps_trigger("GOOGLE_MAPS_OLD_EVENT", "20240101_00", json!({"place_id": {"type": "string"}})),
        json!({"slug": "GITHUB_X", "toolkit": {"slug": "github"}, "version": V1, "payload": {}, "config": {}}),
    ];
    let server = corpus_server().trigger_types(triggers).start().await;
    let ws = Workspace::new();
    let live = live_with(&ws, &server, FetchOptions { page_size: 1, ..FetchOptions::default() });
    let plan = live.plan(&["google_maps".into()], false, &[]).unwrap();
    live.sync(&plan).await.unwrap();

    let asked = served(&server, Route::ListTriggerTypes);
    assert_eq!(asked.len(), 2, "one page per trigger type at page size 1: {asked:?}");
    assert!(asked[0].contains(&("toolkit_slugs".into(), "google_maps".into())), "{asked:?}");
    assert!(asked[0].contains(&("toolkit_versions[google_maps]".into(), V1.into())), "{asked:?}");

    let path = ws.schemas().join(format!("google_maps/{V1}.triggers.json"));
    let cached: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let slugs: Vec<&str> = cached.iter().map(|t| t["slug"].as_str().unwrap()).collect();
    assert_eq!(slugs, ["GOOGLE_MAPS_PLACE_CLOSED", "GOOGLE_MAPS_PLACE_OPENED"]);
    let module = std::fs::read_to_string(ws.out().join("google_maps.rs")).unwrap();
    assert!(module.contains("impl ::composio_typed::triggers::TriggerType for PlaceOpenedConfig"), "{module}");
    assert!(module.contains("PlaceOpened(Box<PlaceOpenedPayload>)"));
    assert!(ws.config().check(&["google_maps"]).unwrap().is_empty(), "the cache regenerates the module");
    assert!(!live.drift(&[]).await.unwrap().fails(FailOn::Any));

    // The cache's payload lost a field the API serves, and retyped another: drift, in the
    // payload, read like a tool output's `data`.
    let mut edited = cached.clone();
    edited[1]["payload"]["properties"]["place_id"]["type"] = json!("integer");
    edited[1]["payload"]["properties"].as_object_mut().unwrap().remove("rating");
    std::fs::write(&path, render_tools(&edited)).unwrap();
    let report = live.drift(&["google_maps".into()]).await.unwrap();
    let pinned = &report.toolkits[0].against_pinned;
    assert_eq!(pinned.changed.len(), 1, "{report}");
    assert_eq!(pinned.changed[0].slug, "GOOGLE_MAPS_PLACE_OPENED");
    let pointers: Vec<&str> = pinned.changed[0].fields.iter().map(|f| f.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/output_parameters/properties/data/properties/place_id",
            "/output_parameters/properties/data/properties/rating"
        ]
    );
    assert!(report.fails(FailOn::Pinned));
}
