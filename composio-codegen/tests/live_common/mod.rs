//! Shared setup of the live tests: a composio-testserver serving the real corpus, and a
//! scratch workspace (schema cache + output directory) whose files can be compared before and
//! after.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use composio_codegen::Config;
use composio_codegen::fetch::{FetchOptions, Progress};
use composio_codegen::live::{Live, LiveOptions};
use composio_testserver::{Builder, TestServer};
use composio_typed::ApiKey;
use serde_json::Value;

/// The version the corpus tools are served at (they carry none).
pub const V1: &str = "20250801_00";
/// A later version some tests add.
pub const V2: &str = "20251101_00";

pub use composio_testserver::{corpus_dir, corpus_missing};

/// The 930 tools of `tools-github-google-latest.json`.
pub fn corpus_tools() -> &'static [Value] {
    static TOOLS: OnceLock<Vec<Value>> = OnceLock::new();
    TOOLS.get_or_init(|| {
        let path = corpus_dir().join("tools-github-google-latest.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    })
}

/// The corpus tools of one toolkit (by slug prefix, as the corpus has no `toolkit` field).
pub fn corpus_toolkit(toolkit: &str) -> Vec<Value> {
    let prefix = format!("{}_", toolkit.to_uppercase());
    corpus_tools()
        .iter()
        .filter(|t| {
            let slug = t["slug"].as_str().unwrap();
            // `GOOGLE_` would also match `GOOGLE_MAPS_`: the corpus' toolkits never nest that way.
            slug.starts_with(&prefix)
        })
        .cloned()
        .collect()
}

/// A server with the whole corpus at [`V1`] and the corpus toolkit list.
pub fn corpus_server() -> Builder {
    TestServer::builder()
        .tools(corpus_tools().iter().cloned())
        .default_version(V1)
        .toolkits_file(corpus_dir().join("toolkits.json"))
}

/// `tools` changed by `edit`, as version `version`.
pub fn revised(tools: &[Value], version: &str, edit: impl Fn(&mut Value)) -> Vec<Value> {
    tools
        .iter()
        .map(|t| {
            let mut t = t.clone();
            edit(&mut t);
            t["version"] = Value::String(version.to_owned());
            t
        })
        .collect()
}

/// A scratch directory with `schemas/` and `out/`.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Self {
        Workspace { dir: tempfile::tempdir().unwrap() }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn schemas(&self) -> PathBuf {
        self.dir.path().join("schemas")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    pub fn config(&self) -> Config {
        let mut config = Config::new();
        config.schema_cache(self.schemas()).out_dir(self.out());
        config
    }

    pub fn lock_text(&self) -> String {
        std::fs::read_to_string(self.schemas().join("composio.lock")).unwrap()
    }

    /// Every file under the workspace, by relative path, with its bytes.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
            let Ok(entries) = std::fs::read_dir(dir) else { return };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.insert(path.strip_prefix(root).unwrap().to_owned(), std::fs::read(&path).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(self.path(), self.path(), &mut out);
        out
    }
}

/// Options pointing at `server` with its key.
pub fn options(server: &TestServer) -> LiveOptions {
    LiveOptions {
        api_key: Some(ApiKey::new(server.api_key())),
        base_url: Some(server.base_url()),
        ..LiveOptions::default()
    }
}

pub fn live(ws: &Workspace, server: &TestServer) -> Live {
    Live::new(ws.config(), options(server))
}

pub fn live_with(ws: &Workspace, server: &TestServer, fetch: FetchOptions) -> Live {
    Live::new(ws.config(), LiveOptions { fetch, ..options(server) })
}

/// Fetches and pins `toolkits` at `latest` into the workspace.
pub async fn pin_latest(ws: &Workspace, server: &TestServer, toolkits: &[&str]) {
    let live = live(ws, server);
    let names: Vec<String> = toolkits.iter().map(|t| t.to_string()).collect();
    let plan = live.plan(&names, false, &[]).unwrap();
    live.sync(&plan).await.unwrap();
}

/// Records what a fetch reports.
#[derive(Default)]
pub struct Recorder {
    pub finished: Mutex<Vec<(String, String, usize, usize)>>,
}

impl Progress for Recorder {
    fn finished(&self, toolkit: &str, version: &str, tools: usize, pages: usize) {
        self.finished.lock().unwrap().push((toolkit.into(), version.into(), tools, pages));
    }
}

pub fn recorder() -> Arc<Recorder> {
    Arc::new(Recorder::default())
}
