//! Parsing one model call into its typed input, against parsing the same arguments into a
//! `serde_json::Value`: what typed dispatch costs beyond reading the JSON at all.
//!
//! The typed side is what a tool set does with a model's call: the arguments text is parsed
//! straight into the generated input (unknown fields rejected, paths tracked for errors) and
//! checked before sending. The baseline is the least any dispatcher does with the same text.
//!
//! Besides criterion's two measurements, the run ends with a paired comparison: rounds of
//! typed and baseline batches in alternating order, whose per-round ratios are robust to load
//! that comes and goes on a shared machine. Run it with:
//!
//! ```text
//! cargo bench -p composio-typed --features github --bench dispatch
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use composio_typed::Value;
use composio_typed::agents::parse_arguments;
use composio_typed::toolkits::github::CreateAnIssueInput;
use criterion::Criterion;

const ROUNDS: usize = 3_000;
const BATCH: u32 = 100;

/// A call as a model writes it: every argument of the tool, a body of a few paragraphs.
fn arguments() -> String {
    let body = "Steps to reproduce:\n1. Run `cargo build` with an empty config file.\n2. See the panic.\n\n\
                Expected: a clear error naming the file. Found: a panic in the parser, \
                with the backtrace below.\n\n```\nthread 'main' panicked at src/config.rs:42\n```\n"
        .repeat(3);
    serde_json::json!({
        "owner": "rust-lang",
        "repo": "cargo",
        "title": "Crash when the config file is empty",
        "body": body,
        "assignees": ["jdoe", "asmith"],
        "labels": ["bug", "needs-triage", "A-config"],
        "milestone": "3",
    })
    .to_string()
}

fn typed(text: &str) -> CreateAnIssueInput {
    parse_arguments::<CreateAnIssueInput>(text).expect("the arguments fit the tool")
}

fn baseline(text: &str) -> Value {
    serde_json::from_str::<Value>(text).expect("the arguments are JSON")
}

fn batch<T>(text: &str, run: fn(&str) -> T) -> Duration {
    let start = Instant::now();
    for _ in 0..BATCH {
        black_box(run(black_box(text)));
    }
    start.elapsed()
}

fn main() {
    let text = arguments();
    let mut criterion = Criterion::default().configure_from_args();
    let mut group = criterion.benchmark_group("model call arguments");
    group.bench_function("typed input (parse_arguments)", |b| b.iter(|| typed(black_box(&text))));
    group.bench_function("serde_json::Value (baseline)", |b| b.iter(|| baseline(black_box(&text))));
    group.finish();
    criterion.final_summary();

    let mut ratios = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let (typed_time, baseline_time) = if round % 2 == 0 {
            let t = batch(&text, typed);
            (t, batch(&text, baseline))
        } else {
            let b = batch(&text, baseline);
            (batch(&text, typed), b)
        };
        ratios.push(typed_time.as_secs_f64() / baseline_time.as_secs_f64());
    }
    ratios.sort_by(f64::total_cmp);
    let quartile = |q: usize| ratios[(ratios.len() - 1) * q / 4];
    println!(
        "paired rounds: {ROUNDS} x {BATCH} calls, {} bytes of arguments; typed / baseline: median {:.2}x, \
         quartiles {:.2}x .. {:.2}x",
        text.len(),
        quartile(2),
        quartile(1),
        quartile(3)
    );
}
