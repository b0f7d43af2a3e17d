//! State shared by every connection of a running server: the catalog, faults, the request log,
//! responders and files.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use crate::catalog::Catalog;
use crate::fault::ActiveRule;
use crate::{ExecuteReply, ExecuteRequest, RecordedRequest};

/// A per-tool execute behaviour.
pub(crate) type Responder = Arc<dyn Fn(&ExecuteRequest) -> ExecuteReply + Send + Sync>;

/// Locks a mutex, ignoring poisoning: the data behind every lock here stays consistent even
/// if a panic interrupted a holder, and a test server must keep answering.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Files behind the presigned URLs.
#[derive(Default)]
pub(crate) struct Files {
    /// Keys handed out by `/files/upload/request` → their mimetype; a PUT to any other key is
    /// refused like a bad signature.
    pub issued: HashMap<String, String>,
    /// md5 → key, to answer `type: "existing"` for a file already uploaded.
    pub by_md5: HashMap<String, String>,
    /// Bytes PUT to an issued key.
    pub uploaded: HashMap<String, Vec<u8>>,
    /// Bytes registered with `register_download`.
    pub downloads: HashMap<String, Vec<u8>>,
}

/// A session's stored state.
#[derive(Clone, Debug)]
pub(crate) struct SessionRecord {
    pub user_id: String,
    /// The configuration in the answer spelling (`enabled`, `disabled`), without `user_id`.
    pub config: serde_json::Map<String, serde_json::Value>,
    /// The config version: 1 on creation, bumped by every PATCH.
    pub version: u64,
}

/// Compiled `input_parameters`, per (upper-case tool slug, version). `None` when the schema
/// does not compile, in which case arguments are accepted unchecked.
/// One trigger instance; a deleted one stays as a tombstone, so a second delete is a 409.
#[derive(Debug, Clone)]
pub(crate) struct InstanceRec {
    pub id: String,
    pub slug: String,
    pub connected_account_id: String,
    pub user_id: String,
    pub config: serde_json::Value,
    pub disabled_at: Option<String>,
    pub updated_at: String,
    pub deleted: bool,
}

/// The project's webhook subscription.
#[derive(Debug, Clone)]
pub(crate) struct SubscriptionRec {
    pub id: String,
    pub webhook_url: String,
    pub enabled_events: Vec<serde_json::Value>,
    pub version: String,
    pub secret: String,
}

impl SubscriptionRec {
    /// As the v3.1 routes answer it: with the secret.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({"id": self.id, "webhook_url": self.webhook_url, "enabled_events": self.enabled_events,
            "version": self.version, "secret": self.secret})
    }
}

pub(crate) type ValidatorCache = HashMap<(String, String), Arc<Option<jsonschema::Validator>>>;

/// State shared by all connections.
pub(crate) struct State {
    pub api_key: String,
    pub base_url: String,
    pub catalog: Catalog,
    pub faults: Mutex<Vec<ActiveRule>>,
    pub log: Mutex<Vec<RecordedRequest>>,
    pub responders: RwLock<HashMap<String, Responder>>,
    pub files: Mutex<Files>,
    pub validators: Mutex<ValidatorCache>,
    /// Sessions by id.
    pub sessions: Mutex<HashMap<String, SessionRecord>>,
    pub accounts: Mutex<crate::accounts::Accounts>,
    /// Trigger type definitions, as served.
    pub trigger_types: Vec<serde_json::Value>,
    pub trigger_instances: Mutex<Vec<InstanceRec>>,
    pub subscriptions: Mutex<Vec<SubscriptionRec>>,
    /// The scripted chat model's replies, by turn.
    pub chat_script: Mutex<Vec<crate::ChatReply>>,
    /// When each execution ran, and the hold that makes executions meet.
    pub executions: Mutex<crate::executions::Executions>,
    ids: AtomicU64,
}

impl State {
    /// A server's state before its first request.
    pub fn new(api_key: String, base_url: String, catalog: Catalog, faults: Vec<ActiveRule>) -> State {
        State {
            api_key,
            base_url,
            catalog,
            faults: Mutex::new(faults),
            log: Mutex::new(Vec::new()),
            responders: RwLock::new(HashMap::new()),
            files: Mutex::new(Files::default()),
            validators: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            accounts: Mutex::default(),
            trigger_types: Vec::new(),
            trigger_instances: Mutex::new(Vec::new()),
            subscriptions: Mutex::new(Vec::new()),
            chat_script: Mutex::new(Vec::new()),
            executions: Mutex::default(),
            ids: AtomicU64::new(1),
        }
    }

    /// A fresh number for log ids, file ids and keys.
    pub fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }
}
