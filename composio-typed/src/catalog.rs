//! Reading the catalog: toolkits, their versions, and tool definitions.
//!
//! These are reads, so they are retried on transient failures. The code generator fetches
//! schemas through them, so there is one HTTP layer with one retry policy.

use std::collections::BTreeMap;

use reqwest::{Method, Url};
use serde_json::Value;
use tracing::Instrument;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Kind;
use crate::transport::{Request, encode_segment};
use crate::wire;

/// The most tools `GET /tools` returns per page.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Which toolkit versions a tool listing is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToolkitVersions {
    /// One version for every toolkit: `toolkit_versions=20251027_00`.
    All(String),
    /// A version per toolkit: `toolkit_versions[github]=20251027_00`.
    PerToolkit(BTreeMap<String, String>),
}

impl ToolkitVersions {
    /// The query pairs, as the platform reads them: one `toolkit_versions`, or one
    /// `toolkit_versions[slug]` per toolkit.
    fn push_pairs(&self, pairs: &mut Vec<(String, String)>) {
        match self {
            ToolkitVersions::All(version) => pairs.push(("toolkit_versions".into(), version.clone())),
            ToolkitVersions::PerToolkit(map) => {
                pairs.extend(
                    map.iter().map(|(toolkit, version)| (format!("toolkit_versions[{toolkit}]"), version.clone())),
                );
            }
        }
    }
}

/// A query of `GET /triggers_types`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TriggerTypesQuery {
    /// Only these toolkits' trigger types (`toolkit_slugs`).
    pub toolkit_slugs: Vec<String>,
    /// Which version of each toolkit (`toolkit_versions`).
    pub toolkit_versions: Option<ToolkitVersions>,
    /// Page size, at most [`MAX_PAGE_SIZE`].
    pub limit: Option<u32>,
    /// The cursor of the page to read, from the previous page.
    pub cursor: Option<String>,
}

impl TriggerTypesQuery {
    /// The trigger types of one toolkit version, in pages of `limit`.
    pub fn toolkit_version(toolkit: &str, version: &str, limit: u32) -> Self {
        TriggerTypesQuery {
            toolkit_slugs: vec![toolkit.to_owned()],
            toolkit_versions: Some(ToolkitVersions::PerToolkit(BTreeMap::from([(
                toolkit.to_owned(),
                version.to_owned(),
            )]))),
            limit: Some(limit.clamp(1, MAX_PAGE_SIZE)),
            cursor: None,
        }
    }
}

/// A paginated answer, its items moved out of the body: a page of a large toolkit is megabytes
/// of schemas, never copied.
fn page_of(mut body: serde_json::Map<String, Value>, missing: &str) -> Result<Page> {
    let items = match body.remove("items") {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(Error::InvalidResponse {
                slug: None,
                status: 200,
                message: missing.into(),
                body: wire::snippet(Value::Object(body).to_string().as_bytes()),
            });
        }
    };
    Ok(Page {
        items,
        next_cursor: body.get("next_cursor").and_then(Value::as_str).filter(|c| !c.is_empty()).map(str::to_owned),
        total_items: body.get("total_items").and_then(Value::as_u64),
        total_pages: body.get("total_pages").and_then(Value::as_u64),
    })
}

/// A query of `GET /tools`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolsQuery {
    /// Only this toolkit's tools.
    pub toolkit_slug: Option<String>,
    /// The versions to list; always set one, or the server picks its default.
    pub toolkit_versions: Option<ToolkitVersions>,
    /// Only these tools.
    pub tool_slugs: Vec<String>,
    /// Page size, at most [`MAX_PAGE_SIZE`].
    pub limit: Option<u32>,
    /// The cursor of the page to fetch.
    pub cursor: Option<String>,
    /// Include deprecated tools.
    pub include_deprecated: Option<bool>,
}

/// One page of a paginated listing.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    /// The items, as JSON.
    pub items: Vec<Value>,
    /// The cursor of the next page; `None` on the last.
    pub next_cursor: Option<String>,
    /// Total number of items, when the server says.
    pub total_items: Option<u64>,
    /// Total number of pages, when the server says.
    pub total_pages: Option<u64>,
}

/// A toolkit and its versions.
#[derive(Clone, Debug, PartialEq)]
pub struct Toolkit {
    /// Slug, `github`.
    pub slug: String,
    /// Display name.
    pub name: Option<String>,
    /// The concrete version the request resolved to (`meta.version`).
    pub version: Option<String>,
    /// Versions available, newest first (`meta.available_versions`).
    pub available_versions: Vec<String>,
    /// Number of tools, when the server says.
    pub tools_count: Option<u64>,
    /// The whole answer.
    pub raw: Value,
}

impl Client {
    /// `GET /toolkits/{slug}?version=…`: pass `latest` to learn the current version id.
    pub async fn toolkit(&self, slug: &str, version: &str) -> Result<Toolkit> {
        let url = self.query_url(&format!("/toolkits/{}", encode_segment(slug)), &[("version", version)])?;
        let body = self.read(url, "composio.toolkit").await?;
        let meta = body.get("meta");
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        Ok(Toolkit {
            slug: text(body.get("slug")).unwrap_or_else(|| slug.to_owned()),
            name: text(body.get("name")),
            version: text(meta.and_then(|m| m.get("version"))),
            available_versions: meta
                .and_then(|m| m.get("available_versions"))
                .and_then(Value::as_array)
                .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default(),
            tools_count: meta.and_then(|m| m.get("tools_count")).and_then(Value::as_u64),
            raw: Value::Object(body),
        })
    }

    /// One page of `GET /tools`.
    pub async fn tools_page(&self, query: &ToolsQuery) -> Result<Page> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(toolkit) = &query.toolkit_slug {
            pairs.push(("toolkit_slug".into(), toolkit.clone()));
        }
        if let Some(versions) = &query.toolkit_versions {
            versions.push_pairs(&mut pairs);
        }
        if !query.tool_slugs.is_empty() {
            pairs.push(("tool_slugs".into(), query.tool_slugs.join(",")));
        }
        if let Some(limit) = query.limit {
            pairs.push(("limit".into(), limit.min(MAX_PAGE_SIZE).to_string()));
        }
        if let Some(cursor) = &query.cursor {
            pairs.push(("cursor".into(), cursor.clone()));
        }
        if let Some(deprecated) = query.include_deprecated {
            pairs.push(("include_deprecated".into(), deprecated.to_string()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let url = self.query_url("/tools", &pairs)?;
        let body = self.read(url, "composio.tools").await?;
        page_of(body, "a tools page without an `items` array")
    }

    /// Every tool of one toolkit version, following `next_cursor` to the end.
    pub async fn toolkit_tools(&self, toolkit: &str, version: &str, page_size: u32) -> Result<Vec<Value>> {
        let mut query = ToolsQuery {
            toolkit_slug: Some(toolkit.to_owned()),
            toolkit_versions: Some(ToolkitVersions::PerToolkit(BTreeMap::from([(
                toolkit.to_owned(),
                version.to_owned(),
            )]))),
            limit: Some(page_size.clamp(1, MAX_PAGE_SIZE)),
            ..ToolsQuery::default()
        };
        let mut tools = Vec::new();
        let mut seen_cursors = std::collections::BTreeSet::new();
        loop {
            let page = self.tools_page(&query).await?;
            tools.extend(page.items);
            match page.next_cursor {
                // A cursor that comes back would loop forever: the listing is broken.
                Some(cursor) if !seen_cursors.insert(cursor.clone()) => {
                    return Err(Error::InvalidResponse {
                        slug: None,
                        status: 200,
                        message: format!("the tools listing repeated cursor `{cursor}`"),
                        body: String::new(),
                    });
                }
                Some(cursor) => query.cursor = Some(cursor),
                None => return Ok(tools),
            }
        }
    }

    /// One page of `GET /triggers_types`: trigger type definitions, as served. Toolkit slugs go
    /// comma-joined and versions in brackets, as the platform's own clients send them.
    pub async fn trigger_types_page(&self, query: &TriggerTypesQuery) -> Result<Page> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if !query.toolkit_slugs.is_empty() {
            pairs.push(("toolkit_slugs".into(), query.toolkit_slugs.join(",")));
        }
        if let Some(versions) = &query.toolkit_versions {
            versions.push_pairs(&mut pairs);
        }
        if let Some(limit) = query.limit {
            pairs.push(("limit".into(), limit.min(MAX_PAGE_SIZE).to_string()));
        }
        if let Some(cursor) = &query.cursor {
            pairs.push(("cursor".into(), cursor.clone()));
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let url = self.query_url("/triggers_types", &pairs)?;
        let body = self.read(url, "composio.trigger_types").await?;
        page_of(body, "a trigger types page without an `items` array")
    }

    /// One trigger type definition, `GET /triggers_types/{slug}`, at the given toolkit versions
    /// (`None`: the client's configured ones, as the platform applies them). The slug is
    /// case-insensitive; an unknown one is an [`Error::Api`] with status 404 (or 400).
    pub async fn trigger_type(&self, slug: &str, versions: Option<&ToolkitVersions>) -> Result<Value> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        if let Some(versions) = versions {
            versions.push_pairs(&mut pairs);
        }
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let url = self.query_url(&format!("/triggers_types/{}", encode_segment(slug)), &pairs)?;
        self.read(url, "composio.trigger_type").await.map(Value::Object)
    }

    /// `GET /tools/{slug}?version=…`.
    pub async fn tool(&self, slug: &str, version: &str) -> Result<Value> {
        let url = self.query_url(&format!("/tools/{}", encode_segment(slug)), &[("version", version)])?;
        self.read(url, "composio.tool").await.map(Value::Object)
    }

    fn query_url(&self, path: &str, pairs: &[(&str, &str)]) -> Result<String> {
        let mut url = Url::parse(&self.api_url(path)).map_err(|e| Error::Config(format!("URL for {path}: {e}")))?;
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
        Ok(url.into())
    }

    async fn read(&self, url: String, name: &'static str) -> Result<serde_json::Map<String, Value>> {
        let span = tracing::info_span!(
            "composio.read",
            call = name,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        let answer = self
            .send(&Request::api(Method::GET, url), Kind::Read, None)
            .instrument(span)
            .await
            .map_err(|e| self.redact(e))?;
        wire::json_object(answer.status, &answer.body, None).map_err(|e| self.redact(e))
    }
}
