//! The CLI's display of fetch progress: plain lines for logs and CI, bars for a terminal.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use composio_codegen::fetch::Progress;

/// One plain line per finished toolkit on stderr: for logs and CI, where a bar would be noise.
#[derive(Debug, Default)]
pub(crate) struct LineProgress {
    out: Mutex<()>,
}

impl LineProgress {
    /// Lines on stderr.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn line(&self, text: &str) {
        let _guard = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(std::io::stderr(), "{text}");
    }
}

impl Progress for LineProgress {
    fn finished(&self, toolkit: &str, version: &str, tools: usize, pages: usize) {
        self.line(&format!("fetched {toolkit} {version}: {tools} tools ({})", pages_text(pages)));
    }
}

/// A progress bar per toolkit, for a terminal.
pub(crate) struct BarProgress {
    multi: indicatif::MultiProgress,
    bars: Mutex<BTreeMap<String, indicatif::ProgressBar>>,
}

impl std::fmt::Debug for BarProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BarProgress").finish_non_exhaustive()
    }
}

impl Default for BarProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl BarProgress {
    /// Bars drawn on stderr.
    pub(crate) fn new() -> Self {
        BarProgress { multi: indicatif::MultiProgress::new(), bars: Mutex::new(BTreeMap::new()) }
    }

    fn bar(&self, toolkit: &str) -> indicatif::ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(toolkit.to_owned())
            .or_insert_with(|| {
                let bar = self.multi.add(indicatif::ProgressBar::new_spinner());
                let style =
                    indicatif::ProgressStyle::with_template("{spinner} {prefix:<20} {wide_bar} {pos}/{len} {msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
                bar.set_style(style);
                bar.set_prefix(toolkit.to_owned());
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            })
            .clone()
    }
}

impl Progress for BarProgress {
    fn started(&self, toolkit: &str, requested: &str) {
        self.bar(toolkit).set_message(format!("resolving {requested}"));
    }

    fn page(&self, toolkit: &str, version: &str, fetched: usize, total: Option<u64>) {
        let bar = self.bar(toolkit);
        if let Some(total) = total {
            bar.set_length(total.max(fetched as u64));
        }
        bar.set_position(fetched as u64);
        bar.set_message(version.to_owned());
    }

    fn finished(&self, toolkit: &str, version: &str, tools: usize, pages: usize) {
        let bar = self.bar(toolkit);
        bar.set_length(tools as u64);
        bar.set_position(tools as u64);
        bar.finish_with_message(format!("{version} ({})", pages_text(pages)));
    }

    fn done(&self) {
        let _ = self.multi.clear();
    }
}

fn pages_text(pages: usize) -> String {
    if pages == 1 { "1 page".to_owned() } else { format!("{pages} pages") }
}
