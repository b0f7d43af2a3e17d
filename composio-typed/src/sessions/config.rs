//! The session configuration, in its two spellings: what a request asks for (`enable`,
//! `disable`) and what the platform answers (`enabled`, `disabled`). They are separate types
//! because the wire says different things in each direction; one type for both would accept
//! an answer's spelling in a request, which the platform refuses.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::client::ApiPrefix;
use crate::error::{Error, Result};

/// A tool hint a session can filter tools on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum Tag {
    /// `readOnlyHint`: the tool changes nothing.
    #[serde(rename = "readOnlyHint")]
    ReadOnly,
    /// `destructiveHint`: the tool may delete or overwrite.
    #[serde(rename = "destructiveHint")]
    Destructive,
    /// `idempotentHint`: running it twice is harmless.
    #[serde(rename = "idempotentHint")]
    Idempotent,
    /// `openWorldHint`: the tool reaches outside systems.
    #[serde(rename = "openWorldHint")]
    OpenWorld,
}

/// Which members of a set a session keeps: an allowlist or a denylist, never both (the
/// platform refuses a body with both).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Toggle {
    /// Only these.
    Enable(Vec<String>),
    /// All but these.
    Disable(Vec<String>),
}

/// Tags to keep and tags to drop.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TagFilter {
    /// Keep tools with any of these tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enable: Vec<Tag>,
    /// Drop tools with any of these tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<Tag>,
}

/// Which tools of one toolkit a session offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolFilter {
    /// Only these tool slugs. The platform checks them: a typo fails the creation.
    Enable(Vec<String>),
    /// All tools but these.
    Disable(Vec<String>),
    /// By tag.
    Tags(TagFilter),
}

/// Letting the agent connect accounts itself through the `COMPOSIO_MANAGE_CONNECTIONS` meta
/// tool.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ManageConnections {
    /// On unless set to `false`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// Where the user lands after connecting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// v3.1: whether the agent may remove connections (on unless set to `false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_connection_removal: Option<bool>,
    /// v3.1: whether `COMPOSIO_WAIT_FOR_CONNECTIONS` is offered (off unless set).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_wait_for_connections: Option<bool>,
}

/// The size of the remote workbench sandbox (v3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SandboxSize {
    /// `standard`.
    Standard,
    /// `medium`.
    Medium,
    /// `large`.
    Large,
    /// `xlarge`.
    Xlarge,
}

/// The remote workbench (`COMPOSIO_REMOTE_WORKBENCH`, `COMPOSIO_REMOTE_BASH_TOOL`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Workbench {
    /// Whether workbench code may call tools (on unless set to `false`). Answers call it
    /// `proxy_execution_enabled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_proxy_execution: Option<bool>,
    /// Results larger than this many characters are stored in the workbench instead of being
    /// returned whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auto_offload_threshold: Option<u64>,
    /// v3.1: whether the workbench is offered at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// v3.1: the sandbox size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sandbox_size: Option<SandboxSize>,
}

/// Several connected accounts per toolkit in one session (v3.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MultiAccount {
    /// Turns multi-account mode on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// 2 to 10.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_accounts_per_toolkit: Option<u8>,
    /// Whether every call must name its account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_explicit_selection: Option<bool>,
}

/// Tool schemas the session hands out up front instead of through search (v3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Preload {
    /// These tool slugs.
    Tools(Vec<String>),
    /// Every allowed tool (the platform caps this at 1000 and needs an allowlist).
    All,
}

impl Serialize for Preload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a, T: Serialize> {
            tools: &'a T,
        }
        match self {
            Preload::Tools(tools) => Wire { tools }.serialize(serializer),
            Preload::All => Wire { tools: &"all" }.serialize(serializer),
        }
    }
}

/// Everything a session can be configured with, as sent on creation and, in part, on update.
/// Build it through [`crate::sessions::SessionBuilder`] or [`crate::sessions::SessionUpdate`].
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Options {
    pub toolkits: Option<Toggle>,
    pub tools: BTreeMap<String, ToolFilter>,
    pub tags: Option<TagFilter>,
    pub auth_configs: BTreeMap<String, String>,
    pub connected_accounts: BTreeMap<String, Vec<String>>,
    pub manage_connections: Option<ManageConnections>,
    pub workbench: Option<Workbench>,
    pub multi_account: Option<MultiAccount>,
    pub preload: Option<Preload>,
    pub search: Option<bool>,
    pub multi_execute: Option<bool>,
}

impl Options {
    /// The JSON body for `prefix`. v3 takes one connected account per toolkit, as a string,
    /// and knows none of the v3.1 additions: those are refused here, before anything is sent,
    /// rather than left for the platform to reject or, worse, ignore.
    pub(crate) fn body(&self, prefix: ApiPrefix) -> Result<Map<String, Value>> {
        let mut body = Map::new();
        let mut put = |key: &str, value: Result<Value, serde_json::Error>| -> Result<()> {
            let value = value.map_err(|e| Error::Encode { slug: "session".into(), message: e.to_string() })?;
            body.insert(key.to_owned(), value);
            Ok(())
        };
        if let Some(toolkits) = &self.toolkits {
            put("toolkits", serde_json::to_value(toolkits))?;
        }
        if !self.tools.is_empty() {
            put("tools", serde_json::to_value(&self.tools))?;
        }
        if let Some(tags) = &self.tags {
            put("tags", serde_json::to_value(tags))?;
        }
        if !self.auth_configs.is_empty() {
            put("auth_configs", serde_json::to_value(&self.auth_configs))?;
        }
        let v31 = prefix == ApiPrefix::V3_1;
        let needs_v31 = |what: &str| {
            Error::Config(format!("session option `{what}` exists only in the v3.1 API: use ApiPrefix::V3_1"))
        };
        if !self.connected_accounts.is_empty() {
            if v31 {
                put("connected_accounts", serde_json::to_value(&self.connected_accounts))?;
            } else {
                let mut single = Map::new();
                for (toolkit, accounts) in &self.connected_accounts {
                    match accounts.as_slice() {
                        [one] => {
                            single.insert(toolkit.clone(), Value::String(one.clone()));
                        }
                        _ => return Err(needs_v31("several connected accounts for one toolkit")),
                    }
                }
                put("connected_accounts", Ok(Value::Object(single)))?;
            }
        }
        if let Some(manage) = &self.manage_connections {
            if !v31 && (manage.enable_connection_removal.is_some() || manage.enable_wait_for_connections.is_some()) {
                return Err(needs_v31("manage_connections.enable_connection_removal/enable_wait_for_connections"));
            }
            put("manage_connections", serde_json::to_value(manage))?;
        }
        if let Some(workbench) = &self.workbench {
            if !v31 && (workbench.enable.is_some() || workbench.sandbox_size.is_some()) {
                return Err(needs_v31("workbench.enable/sandbox_size"));
            }
            put("workbench", serde_json::to_value(workbench))?;
        }
        if let Some(multi) = &self.multi_account {
            if !v31 {
                return Err(needs_v31("multi_account"));
            }
            put("multi_account", serde_json::to_value(multi))?;
        }
        if let Some(preload) = &self.preload {
            if !v31 {
                return Err(needs_v31("preload"));
            }
            put("preload", serde_json::to_value(preload))?;
        }
        if let Some(enable) = self.search {
            if !v31 {
                return Err(needs_v31("search"));
            }
            put("search", Ok(serde_json::json!({ "enable": enable })))?;
        }
        if let Some(enable) = self.multi_execute {
            if !v31 {
                return Err(needs_v31("execute"));
            }
            put("execute", Ok(serde_json::json!({ "enable_multi_execute": enable })))?;
        }
        Ok(body)
    }
}

/// An allowlist or denylist as the platform reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct Toggled {
    /// The allowlist, when the session has one.
    #[serde(default)]
    pub enabled: Option<Vec<String>>,
    /// The denylist, when the session has one.
    #[serde(default)]
    pub disabled: Option<Vec<String>>,
}

/// The tools of one toolkit a session offers, as reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ToolFilterState {
    /// Only these tools.
    #[serde(default)]
    pub enabled: Option<Vec<String>>,
    /// All but these.
    #[serde(default)]
    pub disabled: Option<Vec<String>>,
    /// By tag.
    #[serde(default)]
    pub tags: Option<Toggled>,
}

/// Connection management, as reported.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ManageConnectionsState {
    /// Whether the agent may connect accounts.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Where the user lands after connecting.
    #[serde(default)]
    pub callback_url: Option<String>,
    /// v3.1: whether the agent may remove connections.
    #[serde(default)]
    pub enable_connection_removal: Option<bool>,
    /// v3.1: whether waiting for connections is offered.
    #[serde(default)]
    pub enable_wait_for_connections: Option<bool>,
}

/// The workbench, as reported.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct WorkbenchState {
    /// Whether workbench code may call tools (`enable_proxy_execution` in requests).
    #[serde(default)]
    pub proxy_execution_enabled: Option<bool>,
    /// The offload threshold.
    #[serde(default)]
    pub auto_offload_threshold: Option<f64>,
    /// v3.1: whether the workbench is offered.
    #[serde(default)]
    pub enable: Option<bool>,
    /// v3.1: the sandbox size (`standard`, `medium`, …), kept as text so a new size reads.
    #[serde(default)]
    pub sandbox_size: Option<String>,
}

/// Multi-account mode, as reported (v3.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct MultiAccountState {
    /// Whether it is on.
    #[serde(default)]
    pub enable: Option<bool>,
    /// The cap per toolkit.
    #[serde(default)]
    pub max_accounts_per_toolkit: Option<u64>,
    /// Whether calls must name their account.
    #[serde(default)]
    pub require_explicit_selection: Option<bool>,
}

/// A session's configuration as the platform reports it. Fields the platform adds later are
/// in [`crate::sessions::Session::raw`].
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[non_exhaustive]
pub struct SessionConfig {
    /// The user the session acts for.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The toolkits offered.
    #[serde(default)]
    pub toolkits: Option<Toggled>,
    /// Per-toolkit tool filters.
    #[serde(default)]
    pub tools: BTreeMap<String, ToolFilterState>,
    /// Tag filters over all toolkits.
    #[serde(default)]
    pub tags: Option<Toggled>,
    /// The auth config per toolkit.
    #[serde(default)]
    pub auth_configs: BTreeMap<String, String>,
    /// The connected accounts per toolkit: one string in v3, a list in v3.1; read as a list
    /// either way.
    #[serde(default, deserialize_with = "one_or_many")]
    pub connected_accounts: BTreeMap<String, Vec<String>>,
    /// Connection management.
    #[serde(default)]
    pub manage_connections: Option<ManageConnectionsState>,
    /// The workbench.
    #[serde(default)]
    pub workbench: Option<WorkbenchState>,
    /// v3.1: multi-account mode.
    #[serde(default)]
    pub multi_account: Option<MultiAccountState>,
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<BTreeMap<String, Vec<String>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let map: Option<BTreeMap<String, OneOrMany>> = Option::deserialize(d)?;
    Ok(map
        .unwrap_or_default()
        .into_iter()
        .map(|(toolkit, accounts)| match accounts {
            OneOrMany::One(one) => (toolkit, vec![one]),
            OneOrMany::Many(many) => (toolkit, many),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options() -> Options {
        Options {
            toolkits: Some(Toggle::Enable(vec!["github".into()])),
            connected_accounts: BTreeMap::from([("github".into(), vec!["ca_1".into()])]),
            tools: BTreeMap::from([(
                "github".into(),
                ToolFilter::Tags(TagFilter { enable: vec![Tag::ReadOnly], disable: vec![] }),
            )]),
            ..Options::default()
        }
    }

    #[test]
    fn connected_accounts_are_a_string_in_v3_and_a_list_in_v3_1() {
        let v3 = Value::Object(options().body(ApiPrefix::V3).unwrap());
        assert_eq!(v3["connected_accounts"], json!({"github": "ca_1"}));
        assert_eq!(v3["toolkits"], json!({"enable": ["github"]}));
        assert_eq!(v3["tools"], json!({"github": {"tags": {"enable": ["readOnlyHint"]}}}));
        let v31 = Value::Object(options().body(ApiPrefix::V3_1).unwrap());
        assert_eq!(v31["connected_accounts"], json!({"github": ["ca_1"]}));
    }

    #[test]
    fn v3_refuses_what_only_v3_1_has() {
        let mut two = options();
        two.connected_accounts.insert("gmail".into(), vec!["ca_2".into(), "ca_3".into()]);
        assert!(matches!(two.body(ApiPrefix::V3), Err(Error::Config(m)) if m.contains("several")));
        assert!(two.body(ApiPrefix::V3_1).is_ok());
        let search = Options { search: Some(true), ..Options::default() };
        assert!(matches!(search.body(ApiPrefix::V3), Err(Error::Config(m)) if m.contains("`search`")));
        let preload = Options { preload: Some(Preload::All), ..Options::default() };
        assert_eq!(Value::Object(preload.body(ApiPrefix::V3_1).unwrap()), json!({"preload": {"tools": "all"}}));
    }

    #[test]
    fn answers_read_either_spelling_of_connected_accounts() {
        let v3: SessionConfig = serde_json::from_value(json!({"connected_accounts": {"github": "ca_1"}})).unwrap();
        let v31: SessionConfig = serde_json::from_value(json!({"connected_accounts": {"github": ["ca_1"]}})).unwrap();
        assert_eq!(v3.connected_accounts, v31.connected_accounts);
        let toolkits: SessionConfig =
            serde_json::from_value(json!({"toolkits": {"enabled": ["github"]}, "new": 1})).unwrap();
        assert_eq!(toolkits.toolkits.unwrap().enabled, Some(vec!["github".to_owned()]));
    }
}
