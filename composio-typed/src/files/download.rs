//! Downloading a file a tool returned, into memory or into a directory under a safe name.

use std::path::{Component, Path, PathBuf};

use bytes::Bytes;
use reqwest::Method;
use tracing::Instrument;

use super::FileDownload;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Kind;
use crate::transport::Request;

impl Client {
    /// The bytes of a file a tool returned.
    pub async fn download_bytes(&self, file: &FileDownload) -> Result<Vec<u8>> {
        // `Vec::from` takes over the body's buffer when nothing else shares it; `to_vec` copied.
        self.download_body(file).await.map(Vec::from)
    }

    async fn download_body(&self, file: &FileDownload) -> Result<Bytes> {
        let span = tracing::info_span!(
            "composio.download",
            file = %file.name,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        // A presigned URL: the API key must not travel to storage.
        let request = Request::storage(Method::GET, file.s3url.clone());
        let answer = self.send(&request, Kind::Read, None).instrument(span).await.map_err(|e| self.redact(e))?;
        Ok(answer.body)
    }

    /// Saves a file a tool returned into `dir` under its own name, and returns the path written.
    ///
    /// The name is reduced to one plain file name that is valid on every platform, so a hostile
    /// name cannot escape `dir`: its last component only, with `:` and the other characters
    /// Windows reserves replaced by `_`, trailing dots and spaces dropped, device names such as
    /// `CON` or `nul.txt` prefixed with `_`, and at most 200 bytes. A file of that name already
    /// in `dir` is replaced.
    pub async fn download(&self, file: &FileDownload, dir: impl AsRef<Path>) -> Result<PathBuf> {
        let dir = dir.as_ref();
        let bytes = self.download_body(file).await?;
        let name = safe_file_name(&file.name);
        let path = dir.join(&name);
        let tmp = dir.join(part_file_name(&name));
        let io = |e: std::io::Error, p: &Path| Error::File { path: p.display().to_string(), message: e.to_string() };
        tokio::fs::create_dir_all(dir).await.map_err(|e| io(e, dir))?;
        tokio::fs::write(&tmp, &bytes).await.map_err(|e| io(e, &tmp))?;
        if let Err(e) = tokio::fs::rename(&tmp, &path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io(e, &path));
        }
        Ok(path)
    }
}

/// Longest name kept, in bytes: the temporary `.{name}.part-{16 hex digits}` written beside the
/// file must stay within the 255 bytes file systems allow for one name.
const MAX_NAME_BYTES: usize = 200;

/// An extension longer than this is not kept whole when a long name is cut.
const MAX_EXTENSION_BYTES: usize = 16;

/// Names Windows reserves for devices: as the part before the first dot, in any case, they open
/// the device instead of a file (`nul.txt` is `NUL`).
const RESERVED_NAMES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹",
    "COM²", "COM³", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²",
    "LPT³",
];

/// A name a tool gave, reduced to one plain file name on every platform: its last component,
/// without control characters, without the characters Windows gives a meaning (`:` makes
/// `C:evil` relative to another drive's directory, or opens a data stream), without the
/// trailing dots and spaces Windows drops, not a device name, and short enough for its
/// temporary name.
fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let replaced: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, ':' | '<' | '>' | '"' | '|' | '?' | '*') { '_' } else { c })
        .collect();
    let trimmed = replaced.trim().trim_end_matches(['.', ' ']);
    let mut safe = cut(trimmed);
    let stem = safe.split('.').next().unwrap_or_default().trim_end();
    if RESERVED_NAMES.iter().any(|reserved| stem.eq_ignore_ascii_case(reserved)) {
        safe.insert(0, '_');
    }
    let mut parts = Path::new(&safe).components();
    match (parts.next(), parts.next()) {
        (Some(Component::Normal(_)), None) => safe,
        _ => "download".to_owned(),
    }
}

/// `name` cut to [`MAX_NAME_BYTES`] on a character boundary, keeping a short extension.
fn cut(name: &str) -> String {
    if name.len() <= MAX_NAME_BYTES {
        return name.to_owned();
    }
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if dot > 0 && name.len() - dot <= MAX_EXTENSION_BYTES => name.split_at(dot),
        _ => (name, ""),
    };
    let mut keep = MAX_NAME_BYTES - extension.len();
    while !stem.is_char_boundary(keep) {
        keep -= 1;
    }
    let stem = stem[..keep].trim_end_matches(['.', ' ']);
    format!("{stem}{extension}")
}

/// The temporary name a download is written under before it is renamed into place.
fn part_file_name(name: &str) -> String {
    format!(".{name}.part-{:016x}", fastrand::u64(..))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_stay_inside_the_directory() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("..\\x.txt"), "x.txt");
        assert_eq!(safe_file_name(".."), "download");
        assert_eq!(safe_file_name("report.pdf"), "report.pdf");
        // Windows: a drive prefix without a root replaces the directory in `dir.join(name)`, and
        // `:` also opens an alternate data stream.
        assert_eq!(safe_file_name("C:evil.txt"), "C_evil.txt");
        assert_eq!(safe_file_name("a:b"), "a_b");
        assert_eq!(safe_file_name("C:"), "C_");
        assert_eq!(safe_file_name("C:\\Windows\\evil.dll"), "evil.dll");
        assert_eq!(safe_file_name("\\\\?\\C:\\x.txt"), "x.txt");
        assert_eq!(safe_file_name("x<y>z|?*\"w"), "x_y_z____w");
        // Windows: device names, with or without an extension, in any case, name no file.
        assert_eq!(safe_file_name("CON"), "_CON");
        assert_eq!(safe_file_name("nul.txt"), "_nul.txt");
        assert_eq!(safe_file_name("Com1.tar.gz"), "_Com1.tar.gz");
        assert_eq!(safe_file_name("lpt9"), "_lpt9");
        assert_eq!(safe_file_name("aux .txt"), "_aux .txt");
        assert_eq!(safe_file_name("CONSOLE.txt"), "CONSOLE.txt");
        assert_eq!(safe_file_name("com10"), "com10");
        // Windows drops trailing dots and spaces, so `name. ` would be written as `name`.
        assert_eq!(safe_file_name("name. "), "name");
        assert_eq!(safe_file_name("report.pdf..."), "report.pdf");
        assert_eq!(safe_file_name(". ."), "download");
        for name in [
            "C:evil.txt",
            "CON",
            "nul.txt",
            "a:b",
            "name. ",
            "../x",
            "..\\..\\x",
            "/",
            "\\",
            "",
            " ",
            ". .",
            "con.",
            "x\u{0}y",
            "dir/..",
            "C:..",
        ] {
            let safe = safe_file_name(name);
            let mut parts = Path::new(&safe).components();
            assert!(matches!((parts.next(), parts.next()), (Some(Component::Normal(_)), None)), "{name:?} -> {safe:?}");
            assert!(!safe.contains([':', '/', '\\']), "{name:?} -> {safe:?}");
        }
    }

    #[test]
    fn long_names_are_cut_so_the_temporary_name_fits_name_max() {
        let long = format!("{}.pdf", "a".repeat(300));
        let safe = safe_file_name(&long);
        assert!(safe.ends_with(".pdf") && safe.starts_with("aaa"), "{safe}");
        assert!(part_file_name(&safe).len() <= 255, "{} bytes", safe.len());
        // Cut on a character boundary, and the cut leaves no trailing dot or space.
        let wide = "é".repeat(200);
        let safe = safe_file_name(&wide);
        assert!(part_file_name(&safe).len() <= 255, "{} bytes", safe.len());
        assert!(safe.chars().all(|c| c == 'é'));
        let dotted = format!("{}. {}", "b".repeat(199), "c".repeat(100));
        assert!(!safe_file_name(&dotted).ends_with(['.', ' ']), "{}", safe_file_name(&dotted));
    }
}
