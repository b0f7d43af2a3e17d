//! Per-call overhead of a generated typed call against a hand-written `reqwest` POST, on the
//! same local server, in one run.
//!
//! Both paths send the same body to the same route, reuse one keep-alive connection and await
//! the whole answer parsed (the typed path into `github::Issue`, the raw path into
//! `serde_json::Value`). The server side (routing, schema validation, the responder) is the same
//! work for both, so the difference is the runtime's own cost.
//!
//! Besides criterion's two measurements, the run ends with a paired comparison: rounds of typed
//! and raw batches in alternating order, whose per-round ratios are robust to load that comes
//! and goes on a shared machine. Run it with:
//!
//! ```text
//! cargo bench -p composio-typed --features github --bench execute_overhead
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use composio_testserver::{ExecuteReply, TestServer};
use composio_typed::toolkits::github;
use composio_typed::{Client, Value};
use criterion::Criterion;
use serde_json::json;

const API_KEY: &str = "ak_bench";
const SLUG: &str = "GITHUB_CREATE_AN_ISSUE";
/// Paired comparison: many short rounds, so that load from other processes hits both sides of
/// a round alike and the median ratio is stable.
const ROUNDS: usize = 150;
const BATCH: u32 = 60;

/// The issue the responder answers: a realistic GitHub payload, nested users, labels,
/// a milestone and reactions, with fields the generated type does not know.
fn issue() -> Value {
    let user = |login: &str, id: i64| {
        json!({"login": login, "id": id, "node_id": "MDQ6VXNlcjE=", "avatar_url": "https://avatars.githubusercontent.com/u/1",
               "html_url": format!("https://github.com/{login}"), "type": "User", "site_admin": false,
               "gravatar_id": "", "followers_url": format!("https://api.github.com/users/{login}/followers")})
    };
    json!({
        "id": 1_000_042, "node_id": "I_kwDOAbc", "number": 42, "title": "Found a bug", "state": "open",
        "url": "https://api.github.com/repos/octocat/hello-world/issues/42",
        "html_url": "https://github.com/octocat/hello-world/issues/42",
        "body": "Steps to reproduce:\n1. Run `make`\n2. See the crash",
        "user": user("octocat", 1), "assignee": user("hubot", 2), "assignees": [user("hubot", 2), user("monalisa", 3)],
        "labels": [
            {"id": 1, "node_id": "L1", "name": "bug", "color": "d73a4a", "default": true, "description": "Something is broken"},
            {"id": 2, "node_id": "L2", "name": "ui", "color": "a2eeef", "default": false, "description": null},
        ],
        "milestone": {"number": 3, "title": "v1.0", "state": "open", "open_issues": 4, "closed_issues": 8,
                      "html_url": "https://github.com/octocat/hello-world/milestone/3", "creator": user("octocat", 1),
                      "due_on": null},
        "locked": false, "active_lock_reason": null, "comments": 0, "pull_request": null, "closed_at": null,
        "created_at": "2025-10-27T10:00:00Z", "updated_at": "2025-10-27T10:00:00Z",
        "author_association": "OWNER", "state_reason": null,
        "reactions": {"url": "https://api.github.com/repos/octocat/hello-world/issues/42/reactions", "total_count": 0,
                      "+1": 0, "-1": 0, "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
        "timeline_url": "https://api.github.com/repos/octocat/hello-world/issues/42/timeline",
    })
}

struct Setup {
    client: Client,
    raw: reqwest::Client,
    url: String,
    /// Held so the server keeps running on its own runtime.
    _server: TestServer,
    _server_rt: tokio::runtime::Runtime,
}

fn setup() -> Setup {
    // The server gets its own thread, as a remote server would, so the client's runtime does
    // only client work.
    let server_rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = server_rt
        .block_on(TestServer::builder().api_key(API_KEY).tools(composio_testserver::committed_tools("github")).start());
    let answer = issue();
    server.respond(SLUG, move |_| ExecuteReply::Data(answer.clone()));
    let client = Client::builder().api_key(API_KEY).base_url(server.base_url()).user_id("bench-user").build().unwrap();
    // reqwest without a provider feature needs rustls' process default; the typed client brings
    // its own and installs none.
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Configured as the typed client configures its own: the same timeouts and user agent.
    let raw = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("composio-typed/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap();
    let url = format!("{}/api/v3/tools/execute/{SLUG}", server.base_url());
    Setup { client, raw, url, _server: server, _server_rt: server_rt }
}

async fn typed(client: &Client) -> github::Issue {
    github::create_an_issue(
        client,
        github::CreateAnIssueInput::new("octocat", "hello-world", "Found a bug").labels(["bug", "ui"]),
    )
    .await
    .expect("typed call")
}

/// What a careful hand-written call does: the same body built as JSON, the key header, and the
/// whole answer parsed.
async fn raw(raw: &reqwest::Client, url: &str) -> Value {
    let body = json!({
        "arguments": {"owner": "octocat", "repo": "hello-world", "title": "Found a bug", "labels": ["bug", "ui"]},
        "user_id": "bench-user",
        "version": github::VERSION,
    });
    let answer: Value = raw
        .post(url)
        .header("x-api-key", API_KEY)
        .json(&body)
        .send()
        .await
        .expect("raw call")
        .error_for_status()
        .expect("raw status")
        .json()
        .await
        .expect("raw JSON");
    assert_eq!(answer["successful"], true);
    answer
}

fn criterion_benches(c: &mut Criterion, s: &Setup, rt: &tokio::runtime::Runtime) {
    let mut group = c.benchmark_group("execute");
    group.bench_function("typed", |b| b.to_async(rt).iter(|| async { black_box(typed(&s.client).await) }));
    group.bench_function("raw", |b| b.to_async(rt).iter(|| async { black_box(raw(&s.raw, &s.url).await) }));
    group.finish();
}

/// CPU time this thread has run, in nanoseconds (`/proc/thread-self/schedstat`), so the client
/// side can be measured apart from the server thread and from other processes on the machine.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat").ok()?.split_whitespace().next()?.parse().ok()
}

/// Per-call wall time and client-thread CPU time of one batch, in microseconds.
#[derive(Clone, Copy)]
struct Sample {
    wall_us: f64,
    cpu_us: Option<f64>,
}

fn time_batch<F: std::future::Future>(rt: &tokio::runtime::Runtime, batch: u32, call: impl Fn() -> F) -> Sample {
    rt.block_on(async {
        let cpu = thread_cpu_ns();
        let start = Instant::now();
        for _ in 0..batch {
            black_box(call().await);
        }
        let wall = start.elapsed().as_secs_f64();
        let cpu = cpu.zip(thread_cpu_ns()).map(|(a, b)| (b - a) as f64 / 1e3 / f64::from(batch));
        Sample { wall_us: wall * 1e6 / f64::from(batch), cpu_us: cpu }
    })
}

fn mean(a: Sample, b: Sample) -> Sample {
    Sample { wall_us: (a.wall_us + b.wall_us) / 2.0, cpu_us: a.cpu_us.zip(b.cpu_us).map(|(x, y)| (x + y) / 2.0) }
}

/// Rounds of `batch` typed and `batch` raw calls, in ABBA order so that a load change within a
/// round hits both sides alike; returns the (typed, raw) samples of each round.
fn paired(s: &Setup, rt: &tokio::runtime::Runtime, rounds: usize, batch: u32) -> Vec<(Sample, Sample)> {
    let time_typed = || time_batch(rt, batch, || typed(&s.client));
    let time_raw = || time_batch(rt, batch, || raw(&s.raw, &s.url));
    (0..rounds)
        .map(|round| {
            if round % 2 == 0 {
                let (t1, r1, r2, t2) = (time_typed(), time_raw(), time_raw(), time_typed());
                (mean(t1, t2), mean(r1, r2))
            } else {
                let (r1, t1, t2, r2) = (time_raw(), time_typed(), time_typed(), time_raw());
                (mean(t1, t2), mean(r1, r2))
            }
        })
        .collect()
}

/// The median, 10th and 90th percentile.
fn spread(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    (median(values.clone()), values[n / 10], values[n * 9 / 10])
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

/// Criterion's estimate of one benchmark of this run, in nanoseconds: the slope it prints,
/// or the mean when it has no slope.
fn criterion_estimate(id: &str) -> Option<f64> {
    let dir = std::env::var("CRITERION_HOME").map(std::path::PathBuf::from).unwrap_or_else(|_| {
        let target =
            std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{}/../target", env!("CARGO_MANIFEST_DIR")));
        std::path::Path::new(&target).join("criterion")
    });
    let text = std::fs::read_to_string(dir.join("execute").join(id).join("new").join("estimates.json")).ok()?;
    let estimates = serde_json::from_str::<Value>(&text).ok()?;
    estimates["slope"]["point_estimate"].as_f64().or_else(|| estimates["mean"]["point_estimate"].as_f64())
}

fn main() {
    let setup = setup();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // Warm both connections and the server's validator cache.
    rt.block_on(async {
        typed(&setup.client).await;
        raw(&setup.raw, &setup.url).await;
    });

    // For instruction counts under `valgrind --tool=callgrind`: only N calls of one kind, e.g.
    // `COMPOSIO_BENCH_ONLY=typed COMPOSIO_BENCH_CALLS=2000`. Two runs with different N give the
    // per-call count without the setup.
    if let Ok(only) = std::env::var("COMPOSIO_BENCH_ONLY") {
        let calls: u32 = std::env::var("COMPOSIO_BENCH_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(1000);
        let sample = match only.as_str() {
            "typed" => time_batch(&rt, calls, || typed(&setup.client)),
            "raw" => time_batch(&rt, calls, || raw(&setup.raw, &setup.url)),
            other => panic!("COMPOSIO_BENCH_ONLY must be `typed` or `raw`, not `{other}`"),
        };
        println!("{only}: {calls} calls, {:.1} µs per call", sample.wall_us);
        return;
    }

    let mut criterion = Criterion::default().configure_from_args();
    criterion_benches(&mut criterion, &setup, &rt);
    criterion.final_summary();

    // Without `--bench` (as `cargo test --benches` runs it) criterion only checks that each
    // benchmark runs once; the paired rounds would just slow the test run down.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if let (Some(typed_ns), Some(raw_ns)) = (criterion_estimate("typed"), criterion_estimate("raw")) {
        println!(
            "criterion (sequential, sensitive to load changes): typed {:.1} µs, raw {:.1} µs, typed/raw = {:.4}",
            typed_ns / 1e3,
            raw_ns / 1e3,
            typed_ns / raw_ns
        );
    }
    let rounds = paired(&setup, &rt, ROUNDS, BATCH);
    let report = |what: &str, pick: &dyn Fn(Sample) -> Option<f64>| {
        let pairs: Vec<(f64, f64)> = rounds.iter().filter_map(|(t, r)| pick(*t).zip(pick(*r))).collect();
        if pairs.is_empty() {
            return;
        }
        let (ratio, p10, p90) = spread(pairs.iter().map(|(t, r)| t / r).collect());
        println!(
            "paired {what} ({} rounds x 2 x {BATCH} calls each side): median per call typed {:.1} µs, raw {:.1} µs; \
             typed/raw median {ratio:.4} (p10 {p10:.4}, p90 {p90:.4})",
            pairs.len(),
            median(pairs.iter().map(|(t, _)| *t).collect()),
            median(pairs.iter().map(|(_, r)| *r).collect()),
        );
    };
    report("wall time", &|s| Some(s.wall_us));
    report("client-thread CPU", &|s| s.cpu_us);
}
