//! In-process generation time on the real corpus (issue 5): `cargo bench -p composio-codegen
//! --bench generate`.
//!
//! Reads the corpus at `../shared/corpus/composio` relative to the repository root (or
//! `$CORPUS`); without it the benchmarks are skipped with a notice. Three benchmarks:
//!
//! - `github_823/from_file`: [`Config::generate`] of the 823 GitHub tools from the raw corpus
//!   file, reading and parsing the JSON included, as a build script pays it;
//! - `github_823/generate_module`: [`generate_module`] alone on definitions already loaded:
//!   normalising, typing, naming, emitting and prettyplease formatting;
//! - `corpus_954/from_files`: every tool of the corpus, 8 toolkits from 4 files.
//!
//! The process-level figures (wall time of the CLI, memory, and the compile cost of what it
//! writes, against cargo-typify) come from `benches/compile-cost.sh`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use composio_codegen::Config;
use composio_codegen::source::{FileSource, SchemaSource};
use composio_codegen::{EmitOptions, generate_module};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

const BIG: &str = "tools-github-google-latest.json";
const ALL_TOOLKITS: [&str; 8] =
    ["github", "googledrive", "google_classroom", "google_admin", "google_maps", "google_analytics", "gmail", "notion"];

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/composio"));
    if dir.join(BIG).is_file() {
        Some(dir)
    } else {
        eprintln!("skipped: no corpus at {} (set CORPUS to its directory)", dir.display());
        None
    }
}

fn all_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = vec![dir.join(BIG), dir.join("tools-gmail-2025.json")];
    let mut notion: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("corpus directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("notion-") && n.ends_with(".json"))
        })
        .collect();
    notion.sort();
    files.extend(notion);
    files
}

fn generation(c: &mut Criterion) {
    let Some(dir) = corpus() else { return };

    let mut github = Config::new();
    github.from_file(dir.join(BIG));
    let modules = github.generate(&["github"]).expect("the GitHub tools generate");
    assert_eq!(modules[0].tools.len(), 823, "the corpus holds 823 GitHub tools");

    let mut group = c.benchmark_group("github_823");
    // An iteration takes about half a second here: flat sampling, 20 samples of one iteration.
    group.sampling_mode(SamplingMode::Flat).sample_size(20).warm_up_time(Duration::from_secs(3));
    group.measurement_time(Duration::from_secs(12));
    group.bench_function("from_file", |b| b.iter(|| black_box(github.generate(&["github"]).unwrap())));
    let loaded = FileSource::new(vec![dir.join(BIG)], BTreeMap::new()).load(&["github".to_owned()]).unwrap();
    let options = EmitOptions::default();
    group.bench_function("generate_module", |b| b.iter(|| black_box(generate_module(&loaded[0], &options).unwrap())));
    group.finish();

    let mut all = Config::new();
    for file in all_files(&dir) {
        all.from_file(file);
    }
    let modules = all.generate(&ALL_TOOLKITS).expect("the whole corpus generates");
    let tools: usize = modules.iter().map(|m| m.tools.len()).sum();
    assert_eq!(tools, 954, "the corpus holds 954 tools");
    let mut group = c.benchmark_group("corpus_954");
    group.sampling_mode(SamplingMode::Flat).sample_size(20).warm_up_time(Duration::from_secs(3));
    group.measurement_time(Duration::from_secs(18));
    group.bench_function("from_files", |b| b.iter(|| black_box(all.generate(&ALL_TOOLKITS).unwrap())));
    group.finish();
}

criterion_group!(benches, generation);
criterion_main!(benches);
