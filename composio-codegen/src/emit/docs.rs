//! Schema text → rustdoc that is safe to compile, test and render.
//!
//! Descriptions are Markdown written for LLMs, not for rustdoc. Left alone they would become
//! doctests (code fences, 4-space indents), broken intra-doc links (`[owner]`), unclosed HTML
//! tags (`<repo>`) and clippy warnings (lazy list continuations, tabs). Each line is made safe
//! here; the text itself only ever reaches generated code as a string literal, so it cannot
//! inject code.

/// Turns free text into doc lines, each ready for `#[doc = " …"]`.
pub fn lines(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n").replace('\t', "    ");
    let mut out: Vec<String> = Vec::new();
    let mut fence: Option<String> = None;
    let mut in_list = false;
    for raw in text.lines() {
        let trimmed = raw.trim_start();
        if let Some(marker) = &fence {
            if trimmed.starts_with(marker.as_str()) {
                out.push(marker.clone());
                fence = None;
            } else {
                out.push(raw.trim_end().to_owned());
            }
            continue;
        }
        if let Some(marker) = fence_marker(trimmed) {
            // Any fence becomes a `text` fence: rustdoc would compile and run anything else.
            out.push(format!("{marker}text"));
            fence = Some(marker);
            in_list = false;
            continue;
        }
        if trimmed.is_empty() {
            out.push(String::new());
            in_list = false;
            continue;
        }
        // Four spaces of indent would start a code block, which rustdoc runs as a doctest.
        let indent = (raw.len() - trimmed.len()).min(3);
        let item = is_list_item(trimmed);
        if in_list && !item && indent == 0 {
            // A line straight after a list item would continue it lazily; make it a paragraph.
            out.push(String::new());
            in_list = false;
        }
        in_list |= item;
        out.push(format!("{}{}", " ".repeat(indent), escape_inline(trimmed.trim_end())));
    }
    if let Some(marker) = fence {
        out.push(marker);
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    while out.first().is_some_and(String::is_empty) {
        out.remove(0);
    }
    let mut deduped: Vec<String> = Vec::with_capacity(out.len());
    for line in out {
        if line.is_empty() && deduped.last().is_some_and(String::is_empty) {
            continue;
        }
        deduped.push(line);
    }
    deduped
}

fn fence_marker(line: &str) -> Option<String> {
    for c in ['`', '~'] {
        let n = line.chars().take_while(|&x| x == c).count();
        if n >= 3 {
            return Some(c.to_string().repeat(n));
        }
    }
    None
}

fn is_list_item(line: &str) -> bool {
    if line.starts_with("- ") || line.starts_with("* ") || line.starts_with("+ ") {
        return true;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && (line[digits..].starts_with(". ") || line[digits..].starts_with(") "))
}

/// Escapes what rustdoc would misread outside inline code: brackets (intra-doc links), angle
/// brackets (HTML tags) and bare URLs.
fn escape_inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while !rest.is_empty() {
        let Some(start) = rest.find('`') else {
            out.push_str(&escape_text(rest));
            break;
        };
        out.push_str(&escape_text(&rest[..start]));
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let opener = &rest[start..start + ticks];
        let after = &rest[start + ticks..];
        match after.find(opener) {
            Some(end) => {
                out.push_str(opener);
                out.push_str(&after[..end]);
                out.push_str(opener);
                rest = &after[end + ticks..];
            }
            None => {
                // An unmatched backtick is literal text.
                out.push_str(&"\\`".repeat(ticks));
                rest = after;
            }
        }
    }
    out
}

fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let url_at = ["https://", "http://"].iter().filter_map(|p| rest.find(p)).min();
        let (plain, tail) = match url_at {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        for c in plain.chars() {
            match c {
                '[' | ']' | '<' | '>' => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
        if tail.is_empty() {
            break;
        }
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`' | ')' | ']'))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':']);
        out.push('<');
        out.push_str(url);
        out.push('>');
        rest = &tail[url.len()..];
    }
    out
}

/// Renders a JSON value for inline code in docs, or `None` when it would not read well there.
pub fn inline_value(value: &serde_json::Value) -> Option<String> {
    let text = value.to_string();
    (text.len() <= 80 && !text.contains('`') && !text.contains('\n')).then(|| format!("`{text}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_become_text() {
        assert_eq!(lines("Run:\n```python\nprint(1)\n```"), ["Run:", "```text", "print(1)", "```"]);
        assert_eq!(lines("```\nunclosed"), ["```text", "unclosed", "```"]);
    }

    #[test]
    fn indentation_never_makes_a_code_block() {
        assert_eq!(lines("a\n\n        code"), ["a", "", "   code"]);
    }

    #[test]
    fn links_and_tags_are_escaped_outside_code() {
        assert_eq!(lines("see [owner] <repo> and `[x] <y>`"), ["see \\[owner\\] \\<repo\\> and `[x] <y>`"]);
        assert_eq!(lines("docs: https://x.dev/a_b."), ["docs: <https://x.dev/a_b>."]);
    }

    #[test]
    fn lazy_list_continuations_become_paragraphs() {
        assert_eq!(lines("Types:\n- a\n- b\nMore."), ["Types:", "- a", "- b", "", "More."]);
    }
}
