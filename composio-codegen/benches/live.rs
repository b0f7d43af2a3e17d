//! Fetching and generating the six toolkits of the big corpus file through composio-testserver:
//! `cargo bench -p composio-codegen --bench live`.
//!
//! The server serves `tools-github-google-latest.json` (930 tools: github 823, googledrive 51,
//! google_classroom 31, google_admin 14, google_maps 7, google_analytics 4), read at run time
//! from `../shared/corpus/composio` (or `$CORPUS`). Scenarios, each run several times:
//!
//! - `fetch`: resolve `latest` and list every tool of the six toolkits ([`ApiSource::fetch_all`]),
//!   with toolkits one at a time or concurrently, and with small pages followed cursor by cursor;
//! - `generate`: the six modules from the cache, no network ([`Live::prepare`] of a plan where
//!   everything is pinned);
//! - `sync`: the whole `composio-codegen github googledrive …` on an empty workspace: fetch,
//!   generate (overlapping the fetch) and write cache, modules and lock.
//!
//! Loopback has no latency, so the fetch scenarios are repeated against a second server that
//! delays every answer by 50 ms, as a remote API would.
//!
//! Prints a Markdown table: min and median wall time per scenario.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use composio_codegen::Config;
use composio_codegen::fetch::FetchOptions;
use composio_codegen::live::{Live, LiveOptions};
use composio_codegen::source::ApiSource;
use composio_testserver::{Fault, FaultRule, Route, TestServer};
use composio_typed::{ApiKey, Client};
use serde_json::Value;

const TOOLKITS: [&str; 6] =
    ["github", "googledrive", "google_classroom", "google_admin", "google_maps", "google_analytics"];
const RUNS: usize = 5;
const LATENCY: Duration = Duration::from_millis(50);

fn corpus_dir() -> PathBuf {
    std::env::var_os("CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/composio"))
}

async fn server(tools: &[Value], latency: Option<Duration>) -> TestServer {
    let mut builder = TestServer::builder()
        .tools(tools.iter().cloned())
        .default_version("20250801_00")
        .toolkits_file(corpus_dir().join("toolkits.json"));
    if let Some(delay) = latency {
        for route in [Route::GetToolkit, Route::ListTools] {
            builder = builder.fault(FaultRule::new(route, Fault::Delay(delay)).forever());
        }
    }
    builder.start().await
}

fn options(server: &TestServer, fetch: FetchOptions) -> LiveOptions {
    LiveOptions {
        api_key: Some(ApiKey::new(server.api_key())),
        base_url: Some(server.base_url()),
        fetch,
        ..LiveOptions::default()
    }
}

fn config(dir: &std::path::Path) -> Config {
    let mut config = Config::new();
    config.schema_cache(dir.join("schemas")).out_dir(dir.join("out"));
    config
}

fn toolkits() -> Vec<String> {
    TOOLKITS.iter().map(|t| t.to_string()).collect()
}

struct Row {
    scenario: String,
    runs: Vec<Duration>,
    note: String,
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

async fn measure<F, Fut>(rows: &mut Vec<Row>, scenario: &str, mut run: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = String>,
{
    let mut runs = Vec::new();
    let mut note = String::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        note = run().await;
        runs.push(start.elapsed());
    }
    runs.sort();
    eprintln!("{scenario}: min {} median {}", ms(runs[0]), ms(runs[runs.len() / 2]));
    rows.push(Row { scenario: scenario.to_owned(), runs, note });
}

async fn fetch(server: &TestServer, fetch: FetchOptions) -> String {
    let client = Client::builder().api_key(server.api_key()).base_url(server.base_url()).build().unwrap();
    let source = ApiSource::new(client, fetch);
    let requests: Vec<(String, String)> = TOOLKITS.iter().map(|t| (t.to_string(), "latest".to_owned())).collect();
    server.clear_requests();
    let fetched = source.fetch_all(&requests).await.unwrap();
    let tools: usize = fetched.iter().map(|f| f.schemas.tools.len()).sum();
    let pages: usize = fetched.iter().map(|f| f.pages).sum();
    format!("{tools} tools, {pages} pages, {} requests", server.requests().len())
}

async fn sync(server: &TestServer, fetch: FetchOptions) -> String {
    let dir = tempfile::tempdir().unwrap();
    let live = Live::new(config(dir.path()), options(server, fetch));
    let plan = live.plan(&toolkits(), false, &[]).unwrap();
    let synced = live.sync(&plan).await.unwrap();
    let bytes: u64 = synced.modules.iter().map(|m| std::fs::metadata(&m.path).unwrap().len()).sum();
    format!("{} modules, {:.1} MB of Rust", synced.modules.len(), bytes as f64 / 1e6)
}

fn main() {
    let corpus = corpus_dir().join("tools-github-google-latest.json");
    let Ok(text) = std::fs::read_to_string(&corpus) else {
        eprintln!("live bench skipped: no corpus at {} (set CORPUS)", corpus.display());
        return;
    };
    let tools: Vec<Value> = serde_json::from_str(&text).expect("the corpus file is JSON");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let rows = runtime.block_on(async {
        let fast = server(&tools, None).await;
        let slow = server(&tools, Some(LATENCY)).await;
        let mut rows = Vec::new();
        let full = FetchOptions::default();
        let serial = FetchOptions { concurrency: 1, ..FetchOptions::default() };
        let small_cursor = FetchOptions { page_size: 50, ..FetchOptions::default() };

        for (label, srv) in [("loopback", &fast), ("+50 ms per request", &slow)] {
            measure(&mut rows, &format!("fetch, 1 request at a time, limit 1000 ({label})"), || {
                fetch(srv, serial.clone())
            })
            .await;
            measure(&mut rows, &format!("fetch, toolkits concurrent, limit 1000 ({label})"), || {
                fetch(srv, full.clone())
            })
            .await;
            measure(&mut rows, &format!("fetch, limit 50, cursors followed ({label})"), || {
                fetch(srv, small_cursor.clone())
            })
            .await;
        }

        // Generation alone: everything pinned, so no request at all.
        let pinned = tempfile::tempdir().unwrap();
        {
            let live = Live::new(config(pinned.path()), options(&fast, full.clone()));
            let plan = live.plan(&toolkits(), false, &[]).unwrap();
            live.sync(&plan).await.unwrap();
        }
        measure(&mut rows, "generate 6 modules from the cache (no network)", || async {
            let live = Live::new(config(pinned.path()), LiveOptions::default());
            let plan = live.plan(&toolkits(), false, &[]).unwrap();
            let prepared = live.prepare(&plan).await.unwrap();
            format!("{} modules", prepared.modules.len())
        })
        .await;

        for (label, srv) in [("loopback", &fast), ("+50 ms per request", &slow)] {
            measure(&mut rows, &format!("sync: fetch + generate + write, 6 toolkits ({label})"), || {
                sync(srv, full.clone())
            })
            .await;
        }
        rows
    });
    println!("| scenario | min | median | runs | notes |");
    println!("|---|---:|---:|---:|---|");
    for row in rows {
        println!(
            "| {} | {} | {} | {} | {} |",
            row.scenario,
            ms(row.runs[0]),
            ms(row.runs[row.runs.len() / 2]),
            row.runs.len(),
            row.note
        );
    }
}
