//! Tool definitions from a JSON file: an array of tools, one tool, or a page of
//! `GET /api/v3/tools`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{SchemaSource, ToolkitSchemas, display_name};
use crate::error::{Error, Result};
use crate::model;

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
        for path in &self.paths {
            tools.extend(super::cache::read_tools(path)?);
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
                let mut versions: Vec<&str> = tools.iter().filter_map(|t| t.version.as_deref()).collect();
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
                    triggers: Vec::new(),
                })
            })
            .collect()
    }
}
