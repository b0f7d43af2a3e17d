//! The library entry point: a [`Config`] builder, as build scripts and the CLI use it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::emit::EmitOptions;
use crate::error::{Error, Result};
use crate::model;
use crate::names::NameRecord;
use crate::output;
use crate::render;
use crate::schema::Warning;
use crate::source::{FileSource, SchemaCache, SchemaSource, ToolkitSchemas};
use crate::stats::Stats;
use crate::typespace;

/// Where the committed schema cache lives, relative to the working directory.
pub const DEFAULT_SCHEMA_CACHE: &str = "schemas";
/// Where the CLI writes modules by default, relative to the working directory: the usual place
/// in a crate that commits its bindings. (This repository sets `COMPOSIO_CODEGEN_OUT` in
/// `.cargo/config.toml`, since its modules live in `composio-typed/src/toolkits`.)
pub const DEFAULT_OUT_DIR: &str = "src/toolkits";

/// Configures and runs generation.
///
/// ```no_run
/// // build.rs
/// fn main() -> Result<(), Box<dyn std::error::Error>> {
///     composio_codegen::Config::new().schema_cache("schemas").compile(&["github", "gmail"])?;
///     Ok(())
/// }
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    schema_cache: PathBuf,
    from: Vec<PathBuf>,
    pins: BTreeMap<String, String>,
    out_dir: Option<PathBuf>,
    emit: EmitOptions,
    strict: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            schema_cache: PathBuf::from(DEFAULT_SCHEMA_CACHE),
            from: Vec::new(),
            pins: BTreeMap::new(),
            out_dir: None,
            emit: EmitOptions::default(),
            strict: false,
        }
    }
}

/// One generated module, in memory.
#[derive(Clone, Debug, PartialEq)]
pub struct Module {
    /// Toolkit slug.
    pub toolkit: String,
    /// The version the module is pinned to.
    pub version: String,
    /// `<toolkit>.rs`.
    pub file_name: String,
    /// The formatted source.
    pub code: String,
    /// What each tool became.
    pub tools: Vec<ToolSummary>,
    /// Oddities in the schemas that were ignored or worked around.
    pub warnings: Vec<Warning>,
    /// How many positions are typed, free-form JSON, or JSON because the generator gave up.
    pub stats: Stats,
    /// The names record of the schema cache after this module: `Some` when the module was
    /// generated from the cache, whose record it honoured and which writing it updates.
    pub names: Option<NameRecord>,
}

/// The Rust names one tool was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolSummary {
    /// `GITHUB_CREATE_AN_ISSUE`.
    pub slug: String,
    /// `create_an_issue`.
    pub function: String,
    /// `CreateAnIssueInput`.
    pub input_type: String,
}

/// What happened to one module file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// Toolkit slug, which is also the module's name.
    pub toolkit: String,
    /// The file.
    pub path: PathBuf,
    /// Whether its content changed (unchanged files are not touched, so builds stay cached).
    pub changed: bool,
    /// Tools in the module.
    pub tools: usize,
    /// The pinned version.
    pub version: String,
    /// The names record, when writing changed it.
    pub names_record: Option<PathBuf>,
}

impl Config {
    /// Defaults: the schema cache in `schemas/`; output to `$OUT_DIR` in a build script, and
    /// nowhere otherwise (call [`Config::out_dir`] before writing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads pinned toolkits from this schema cache directory (holding `composio.lock`).
    pub fn schema_cache(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.schema_cache = dir.into();
        self
    }

    /// Reads tool definitions from this JSON file instead of the cache; call again to add
    /// more files.
    pub fn from_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.from.push(path.into());
        self
    }

    /// Names the version of a toolkit whose definitions (from a file) carry none.
    pub fn pin(&mut self, toolkit: impl Into<String>, version: impl Into<String>) -> &mut Self {
        self.pins.insert(toolkit.into(), version.into());
        self
    }

    /// Writes modules into this directory.
    pub fn out_dir(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Derives `Serialize` on outputs too. Inputs always derive both directions, so that a
    /// model's call can be parsed into them.
    pub fn serde_both_ways(&mut self, enabled: bool) -> &mut Self {
        self.emit.serde_both_ways = enabled;
        self
    }

    /// Refuses schemas the generator can only partly type, instead of generating them with
    /// the untypable parts as JSON (the default): every [`Warning`] marked `degraded` becomes
    /// an error, the first one reported.
    pub fn strict(&mut self, enabled: bool) -> &mut Self {
        self.strict = enabled;
        self
    }

    /// The output directory: the one set with [`Config::out_dir`], else `$OUT_DIR` (set for
    /// build scripts). Outside a build script, with none set, it is an error: guessing a
    /// directory would write files where nobody looks for them.
    pub fn output_dir(&self) -> Result<PathBuf> {
        if let Some(dir) = &self.out_dir {
            return Ok(dir.clone());
        }
        std::env::var_os("OUT_DIR").map(PathBuf::from).ok_or_else(|| {
            Error::Usage("no output directory: call `Config::out_dir` (only build scripts may leave it out)".into())
        })
    }

    /// The schema cache directory (holding `composio.lock`).
    pub fn schema_cache_dir(&self) -> &Path {
        &self.schema_cache
    }

    /// The options generated code is emitted with.
    pub fn emit_options(&self) -> &EmitOptions {
        &self.emit
    }

    /// Generates the modules of `toolkits` in memory.
    ///
    /// From the schema cache, each toolkit's names record (`<toolkit>/names.toml`) is honoured,
    /// so type names stay what they were; definitions read from files are named from context
    /// alone.
    pub fn generate<S: AsRef<str>>(&self, toolkits: &[S]) -> Result<Vec<Module>> {
        let toolkits = validate_toolkits(toolkits)?;
        // `pin` cannot fail (the builder returns `&mut Self`), so bad pins surface here, even
        // when reading the cache, which ignores them.
        crate::lock::check_pins(&self.pins)?;
        let modules = if !self.from.is_empty() {
            let schemas = FileSource::new(self.from.clone(), self.pins.clone()).load(&toolkits)?;
            schemas.iter().map(|s| generate_module(s, &self.emit)).collect::<Result<Vec<_>>>()?
        } else {
            let schemas = SchemaCache::new(&self.schema_cache).load(&toolkits)?;
            schemas
                .iter()
                .map(|s| {
                    let names = NameRecord::read(&self.schema_cache, &s.toolkit)?;
                    generate_module_with_names(s, &self.emit, &names)
                })
                .collect::<Result<Vec<_>>>()?
        };
        self.check_strict(&modules)?;
        Ok(modules)
    }

    /// In strict mode, the first degrading warning of `modules` as an error: the error the
    /// generator gave before it learnt to degrade.
    pub fn check_strict(&self, modules: &[Module]) -> Result<()> {
        if !self.strict {
            return Ok(());
        }
        match modules.iter().flat_map(|m| &m.warnings).find(|w| w.degraded) {
            Some(w) => {
                Err(Error::Schema { slug: w.slug.clone(), pointer: w.pointer.clone(), message: w.message.clone() })
            }
            None => Ok(()),
        }
    }

    /// Generates and writes the modules of `toolkits` into the output directory.
    ///
    /// Everything is generated before anything is written, so bad input leaves every file as
    /// it was; each file is replaced atomically, and files whose content did not change are
    /// left alone.
    pub fn write<S: AsRef<str>>(&self, toolkits: &[S]) -> Result<Vec<Written>> {
        self.write_modules(&self.generate(toolkits)?)
    }

    /// Writes modules generated earlier, as [`Config::write`] does, and the names records of
    /// those generated from the cache.
    pub fn write_modules(&self, modules: &[Module]) -> Result<Vec<Written>> {
        // Records first: a module written with names its record does not hold yet would be
        // renamed by the next run if the record write never happened.
        let mut records = Vec::with_capacity(modules.len());
        for m in modules {
            let changed = match &m.names {
                Some(names) => names.write(&self.schema_cache, &m.toolkit)?,
                None => false,
            };
            records.push(changed.then(|| NameRecord::path(&self.schema_cache, &m.toolkit)));
        }
        let mut written = self.write_module_files(modules)?;
        for (w, record) in written.iter_mut().zip(records) {
            w.names_record = record;
        }
        Ok(written)
    }

    /// Writes the module files alone: build scripts never write into the schema cache.
    fn write_module_files(&self, modules: &[Module]) -> Result<Vec<Written>> {
        let out_dir = self.output_dir()?;
        std::fs::create_dir_all(&out_dir).map_err(|e| Error::io(&out_dir, e))?;
        modules
            .iter()
            .map(|m| {
                let path = out_dir.join(&m.file_name);
                let changed = output::write_if_changed(&path, m.code.as_bytes())?;
                Ok(Written {
                    toolkit: m.toolkit.clone(),
                    path,
                    changed,
                    tools: m.tools.len(),
                    version: m.version.clone(),
                    names_record: None,
                })
            })
            .collect()
    }

    /// The output directory's `mod.rs` and the toolkits of `written` it does not declare:
    /// newly generated modules that nothing compiles yet. `None` without a `mod.rs`, or with one
    /// that does not parse (not ours to judge).
    pub fn undeclared_modules<'w>(&self, written: &'w [Written]) -> Option<(PathBuf, Vec<&'w str>)> {
        let mod_rs = self.output_dir().ok()?.join("mod.rs");
        let file = syn::parse_file(&std::fs::read_to_string(&mod_rs).ok()?).ok()?;
        let declared: std::collections::BTreeSet<String> = file
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Mod(m) => Some(m.ident.to_string()),
                _ => None,
            })
            .collect();
        let undeclared = written.iter().map(|w| w.toolkit.as_str()).filter(|t| !declared.contains(*t)).collect();
        Some((mod_rs, undeclared))
    }

    /// The module files that are missing or differ from what generation would write.
    pub fn check<S: AsRef<str>>(&self, toolkits: &[S]) -> Result<Vec<PathBuf>> {
        self.stale_modules(&self.generate(toolkits)?)
    }

    /// The files of modules generated earlier that are missing or differ on disk, and the
    /// names records that would change.
    pub fn stale_modules(&self, modules: &[Module]) -> Result<Vec<PathBuf>> {
        let out_dir = self.output_dir()?;
        let mut stale = Vec::new();
        for m in modules {
            if let Some(names) = &m.names
                && names.is_stale(&self.schema_cache, &m.toolkit)?
            {
                stale.push(NameRecord::path(&self.schema_cache, &m.toolkit));
            }
            let path = out_dir.join(&m.file_name);
            match std::fs::read(&path) {
                Ok(existing) if existing == m.code.as_bytes() => {}
                Ok(_) => stale.push(path),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => stale.push(path),
                Err(e) => return Err(Error::io(path, e)),
            }
        }
        Ok(stale)
    }

    /// Build-script mode: writes the modules into `$OUT_DIR` and tells cargo which inputs to
    /// watch. Include a module with
    /// `pub mod github { include!(concat!(env!("OUT_DIR"), "/github.rs")); }`.
    pub fn compile<S: AsRef<str>>(&self, toolkits: &[S]) -> Result<()> {
        let out = std::env::var_os("OUT_DIR")
            .ok_or_else(|| Error::Usage("OUT_DIR is not set: `compile` is meant to run in a build script".into()))?;
        self.compile_into(PathBuf::from(out), toolkits)
    }

    /// [`Config::compile`] into `out`. Reads the names record and never writes it: a build
    /// must not change the user's source tree.
    fn compile_into<S: AsRef<str>>(&self, out: PathBuf, toolkits: &[S]) -> Result<()> {
        let mut config = self.clone();
        config.out_dir = Some(out);
        let inputs: Vec<PathBuf> = if self.from.is_empty() {
            let cache = SchemaCache::new(&self.schema_cache);
            let mut all = Vec::new();
            for toolkit in toolkits {
                all.extend(cache.inputs(toolkit.as_ref())?);
            }
            all
        } else {
            self.from.clone()
        };
        for input in inputs {
            println!("cargo:rerun-if-changed={}", input.display());
        }
        let modules = config.generate(toolkits)?;
        for warning in modules.iter().flat_map(|m| &m.warnings) {
            println!("cargo:warning={}", cargo_line(&warning.to_string()));
        }
        config.write_module_files(&modules).map(drop)
    }
}

/// Generates one module from definitions already loaded, naming types from context alone.
pub fn generate_module(schemas: &ToolkitSchemas, options: &EmitOptions) -> Result<Module> {
    let mut module = generate_module_with_names(schemas, options, &NameRecord::default())?;
    module.names = None;
    Ok(module)
}

/// Generates one module from definitions already loaded, honouring a names record; the
/// module carries the record updated for it.
pub fn generate_module_with_names(
    schemas: &ToolkitSchemas,
    options: &EmitOptions,
    names: &NameRecord,
) -> Result<Module> {
    let mut warnings = Vec::new();
    let ir = typespace::build_with_names(
        &schemas.toolkit,
        &schemas.display_name,
        &schemas.version,
        &schemas.tools,
        &schemas.triggers,
        names,
        &mut warnings,
    )?;
    // A definition merged into several `allOf`s is parsed at each: report its oddities once.
    let mut seen = std::collections::HashSet::new();
    warnings.retain(|w| seen.insert((w.slug.clone(), w.pointer.clone(), w.message.clone())));
    let code = render::module(&ir, options)?;
    let stats = Stats::of(&ir);
    let tools = ir
        .tools
        .iter()
        .map(|t| ToolSummary {
            slug: t.slug.clone(),
            function: t.function.clone(),
            input_type: ir.types[t.input].name.clone(),
        })
        .collect();
    Ok(Module {
        toolkit: schemas.toolkit.clone(),
        version: schemas.version.clone(),
        file_name: format!("{}.rs", schemas.toolkit),
        code,
        tools,
        warnings,
        stats,
        names: Some(typespace::name_record(&ir)),
    })
}

/// Text for one `cargo:` line: cargo reads a line break as the end of the instruction, and
/// the rest as a new one.
fn cargo_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn validate_toolkits<S: AsRef<str>>(toolkits: &[S]) -> Result<Vec<String>> {
    if toolkits.is_empty() {
        return Err(Error::Usage("name at least one toolkit, e.g. `github`".into()));
    }
    let mut out: Vec<String> = Vec::new();
    for t in toolkits {
        let t = t.as_ref();
        if !model::valid_toolkit_slug(t) {
            return Err(Error::Usage(format!(
                "`{t}` is not a toolkit slug: use lower-case letters, digits and `_`, like `github` or `google_classroom`"
            )));
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::Lock;

    #[test]
    fn outside_a_build_script_writing_needs_an_output_directory() {
        if std::env::var_os("OUT_DIR").is_some() {
            return; // a harness that sets OUT_DIR is a build-script context: the default applies
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let mut config = Config::new();
        config.schema_cache(root.join("schemas"));
        assert!(config.generate(&["gmail"]).is_ok(), "generating in memory needs no directory");
        let error = config.write(&["gmail"]).unwrap_err();
        assert!(matches!(&error, Error::Usage(m) if m.contains("Config::out_dir")), "{error}");
        config.out_dir("somewhere");
        assert_eq!(config.output_dir().unwrap(), Path::new("somewhere"));
    }

    fn tools_file(dir: &Path) -> PathBuf {
        let path = dir.join("tools.json");
        let tool = serde_json::json!({"slug": "GITHUB_X", "input_parameters": {"type": "object", "properties": {}}});
        std::fs::write(&path, serde_json::json!([tool]).to_string()).unwrap();
        path
    }

    #[test]
    fn a_pin_that_is_not_a_version_is_reported_when_generating() {
        let dir = tempfile::tempdir().unwrap();
        let path = tools_file(dir.path());
        let err =
            Config::new().from_file(&path).pin("github", "1\npub fn evil() {}").generate(&["github"]).unwrap_err();
        let message = err.to_string();
        assert!(message.contains("github") && !message.contains('\n'), "{message}");
        let module = Config::new().from_file(&path).pin("github", "20251027_00").generate(&["github"]).unwrap();
        assert_eq!(module[0].version, "20251027_00");
    }

    #[test]
    fn a_file_source_checks_its_pins() {
        let dir = tempfile::tempdir().unwrap();
        let pins = BTreeMap::from([("github".to_owned(), "x\u{202e}y".to_owned())]);
        let err = FileSource::new(vec![tools_file(dir.path())], pins).load(&["github".to_owned()]).unwrap_err();
        assert!(err.to_string().contains("github"), "{err}");
    }

    #[test]
    fn a_warning_is_one_cargo_line() {
        let warning = Warning {
            slug: "X_A".into(),
            pointer: "/input_parameters/properties/a\nb".into(),
            message: "cargo:rustc-link-lib=evil\r\n".into(),
            degraded: true,
        };
        let line = cargo_line(&warning.to_string());
        assert!(!line.contains(['\n', '\r']), "{line:?}");
        assert!(line.starts_with("X_A: schema at /input_parameters/properties/a b"), "{line}");
    }

    #[test]
    fn build_script_mode_reads_the_names_record_and_never_writes_it() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
        let cache = tempfile::tempdir().unwrap();
        std::fs::copy(root.join("composio.lock"), cache.path().join("composio.lock")).unwrap();
        std::fs::create_dir(cache.path().join("gmail")).unwrap();
        let version = &Lock::read(&root).unwrap().toolkits["gmail"];
        let schemas = format!("gmail/{version}.json");
        std::fs::copy(root.join(&schemas), cache.path().join(&schemas)).unwrap();
        // A record that renames one type, and is stale (unsorted, not what generation writes).
        let record = std::fs::read_to_string(root.join("gmail/names.toml")).unwrap();
        let (name, _) = record.lines().find_map(|l| l.split_once(" = [")).unwrap();
        let edited = record.replacen(&format!("{name} = ["), "RenamedByHand = [", 1);
        std::fs::write(cache.path().join("gmail/names.toml"), &edited).unwrap();

        let out = tempfile::tempdir().unwrap();
        Config::new().schema_cache(cache.path()).compile_into(out.path().to_owned(), &["gmail"]).unwrap();
        let module = std::fs::read_to_string(out.path().join("gmail.rs")).unwrap();
        assert!(module.contains("RenamedByHand"), "the record is honoured");
        assert_eq!(std::fs::read_to_string(cache.path().join("gmail/names.toml")).unwrap(), edited, "and not written");
    }
}
