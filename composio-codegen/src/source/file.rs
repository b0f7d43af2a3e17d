//! Tool definitions from a JSON file: an array of tools, one tool, or a page of
//! `GET /api/v3/tools`; and trigger type definitions, in the same shapes (a definition with a
//! `config` or a `payload` and no `input_parameters` is a trigger type).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{SchemaSource, ToolkitSchemas, display_name};
use crate::error::{Error, Result};
use crate::model::{self, ToolDef, TriggerDef};

/// Reads definitions from JSON files and sorts them into the requested toolkits.
#[derive(Clone, Debug)]
pub struct FileSource {
    paths: Vec<PathBuf>,
    pins: BTreeMap<String, String>,
}

impl FileSource {
    /// Definitions from `paths`. `pins` names the version of toolkits whose definitions carry
    /// none (Composio's projections drop the `version` field).
    pub fn new(paths: Vec<PathBuf>, pins: BTreeMap<String, String>) -> Self {
        FileSource { paths, pins }
    }

    fn describe(&self) -> String {
        let names: Vec<String> = self.paths.iter().map(|p| p.display().to_string()).collect();
        names.join(", ")
    }
}

impl SchemaSource for FileSource {
    fn load(&self, toolkits: &[String]) -> Result<Vec<ToolkitSchemas>> {
        // A pin becomes the module's `VERSION` and a header line, so it is checked like a
        // version read from a definition.
        crate::lock::check_pins(&self.pins)?;
        let mut tools = Vec::new();
        let mut triggers = Vec::new();
        for path in &self.paths {
            let (file_tools, file_triggers) = read_definitions(path)?;
            tools.extend(file_tools);
            triggers.extend(file_triggers);
        }
        let mut trigger_slugs: Vec<&str> = triggers.iter().map(|t: &TriggerDef| t.slug.as_str()).collect();
        trigger_slugs.sort_unstable();
        if let Some(pair) = trigger_slugs.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::Usage(format!("{}: the trigger type `{}` is defined twice", self.describe(), pair[0])));
        }
        let mut trigger_groups: BTreeMap<String, Vec<TriggerDef>> = BTreeMap::new();
        for trigger in triggers {
            if let Some(toolkit) = model::toolkit_of(&trigger.as_tool(), toolkits) {
                trigger_groups.entry(toolkit.to_owned()).or_default().push(trigger);
            }
        }
        let mut slugs: Vec<&str> = tools.iter().map(|t| t.slug.as_str()).collect();
        slugs.sort_unstable();
        if let Some(pair) = slugs.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::Usage(format!("{}: the tool `{}` is defined twice", self.describe(), pair[0])));
        }
        let mut groups = model::group_by_toolkit(tools, toolkits);
        toolkits
            .iter()
            .map(|toolkit| {
                let tools = groups.remove(toolkit).unwrap_or_default();
                if tools.is_empty() {
                    return Err(Error::UnknownToolkit {
                        toolkit: toolkit.clone(),
                        hint: format!(
                            "{} has no tool of it (a tool belongs to the toolkit in its `toolkit` field, \
                             else to the requested toolkit whose slug prefixes its own)",
                            self.describe()
                        ),
                    });
                }
                let mut triggers = trigger_groups.remove(toolkit).unwrap_or_default();
                triggers.sort_by(|a, b| a.slug.cmp(&b.slug));
                let mut versions: Vec<&str> = tools
                    .iter()
                    .filter_map(|t| t.version.as_deref())
                    .chain(triggers.iter().filter_map(|t| t.version.as_deref()))
                    .collect();
                versions.sort_unstable();
                versions.dedup();
                let version = match versions.as_slice() {
                    [] => self.pins.get(toolkit).cloned().unwrap_or_else(|| "latest".to_owned()),
                    [one] => (*one).to_owned(),
                    several => {
                        return Err(Error::Usage(format!(
                            "{}: the `{toolkit}` tools carry several versions ({}); a module is generated from one",
                            self.describe(),
                            several.join(", ")
                        )));
                    }
                };
                Ok(ToolkitSchemas {
                    toolkit: toolkit.clone(),
                    display_name: display_name(toolkit, &tools),
                    version,
                    tools,
                    triggers,
                })
            })
            .collect()
    }
}

/// The tool and trigger type definitions of one file. Each definition is sorted by its shape:
/// `input_parameters` makes a tool; `config` or `payload` without it, a trigger type.
fn read_definitions(path: &Path) -> Result<(Vec<ToolDef>, Vec<TriggerDef>)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| Error::Json { path: path.to_owned(), source: e })?;
    let is_trigger = |item: &Value| {
        item.get("input_parameters").is_none() && (item.get("config").is_some() || item.get("payload").is_some())
    };
    let items = match &doc {
        Value::Array(items) => items.as_slice(),
        Value::Object(map) => match map.get("items") {
            Some(Value::Array(items)) => items.as_slice(),
            _ => std::slice::from_ref(&doc),
        },
        _ => &[],
    };
    let origin = path.display().to_string();
    if items.is_empty() || !items.iter().any(is_trigger) {
        return Ok((model::parse_document_owned(&origin, doc)?, Vec::new()));
    }
    let (triggers, tools): (Vec<Value>, Vec<Value>) = items.iter().cloned().partition(is_trigger);
    let tools = if tools.is_empty() { Vec::new() } else { model::parse_document_owned(&origin, Value::Array(tools))? };
    Ok((tools, model::parse_trigger_document(&origin, Value::Array(triggers))?))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn write(dir: &Path, name: &str, value: Value) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path
    }

    #[test]
    fn trigger_types_are_read_beside_tools_and_must_share_their_version() {
        let dir = tempfile::tempdir().unwrap();
        let tools = write(
            dir.path(),
            "tools.json",
            json!([{"slug": "X_PING", "version": "20260101_00", "input_parameters": {"type": "object", "properties": {}}}]),
        );
        let trigger = json!({"slug": "X_FIRED", "version": "20260101_00", "type": "webhook",
            "config": {"type": "object", "properties": {}}, "payload": {"type": "object", "properties": {"n": {"type": "integer"}}}});
        let triggers = write(dir.path(), "triggers.json", json!({"items": [trigger.clone()], "next_cursor": null}));
        let source = FileSource::new(vec![tools.clone(), triggers], BTreeMap::new());
        let schemas = source.load(&["x".to_owned()]).unwrap().remove(0);
        assert_eq!((schemas.tools.len(), schemas.triggers.len()), (1, 1));
        assert_eq!(schemas.triggers[0].slug, "X_FIRED");

        let mut other = trigger.clone();
        other["version"] = json!("20260202_00");
        let mixed = write(dir.path(), "mixed.json", json!([other]));
        let err = FileSource::new(vec![tools.clone(), mixed], BTreeMap::new()).load(&["x".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("several versions"), "{err}");

        let twice = write(dir.path(), "twice.json", json!([trigger.clone(), trigger]));
        let err = FileSource::new(vec![tools, twice], BTreeMap::new()).load(&["x".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("`X_FIRED` is defined twice"), "{err}");
    }
}
