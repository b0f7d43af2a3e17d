//! Schema text → rustdoc that is safe to compile, test and render.
//!
//! Descriptions are Markdown written for LLMs, not for rustdoc. Left alone they would become
//! doctests (code fences, 4-space indents), broken intra-doc links (`[owner]`), unclosed HTML
//! tags (`<repo>`) and clippy warnings (lazy list continuations, tabs). Names, keys and values
//! (tool names, property names, enum values, tags) are not Markdown at all, yet a newline in
//! one could open a fence just the same.
//!
//! Every doc line the emitter writes is a [`DocLine`], and the only ways to make one are here:
//! [`lines`] for descriptions, and [`DocLine`]'s builder, which takes generator-written text
//! only as `&'static str` and cleans every other piece. A new path from schema text into docs
//! therefore has to come through this module. The text only ever reaches generated code as a
//! string literal, so it cannot inject code.

/// One line of rustdoc, safe to render and test: it holds no line break, no bidi control or
/// invisible character, and no fence or indent that rustdoc would run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DocLine(String);

impl DocLine {
    /// An empty line: a paragraph break.
    pub fn blank() -> Self {
        DocLine(String::new())
    }

    /// A line that starts with generator-written text.
    pub fn of(text: &'static str) -> Self {
        DocLine::blank().text(text)
    }

    /// Appends generator-written text. Only static text is accepted, so schema text cannot
    /// come in this way.
    pub fn text(mut self, text: &'static str) -> Self {
        self.0.push_str(text);
        self
    }

    /// Appends schema text as plain prose, with Markdown syntax escaped.
    pub fn plain(mut self, text: &str) -> Self {
        self.0.push_str(&inline(text));
        self
    }

    /// Appends schema text (or a generated name) as inline code.
    pub fn code(mut self, text: &str) -> Self {
        self.0.push('`');
        self.0.push_str(&code_text(text));
        self.0.push('`');
        self
    }

    /// Appends an intra-doc link to a generated item.
    pub fn link(mut self, item: &str) -> Self {
        self.0.push('[');
        self = self.code(item);
        self.0.push(']');
        self
    }

    /// Appends an intra-doc link to a generated item (`Self::labels`), shown as inline code
    /// of `text`, which may be schema text.
    pub fn link_as(mut self, text: &str, item: &str) -> Self {
        self.0.push('[');
        self = self.code(text);
        self.0.push_str("](");
        self.0.push_str(&code_text(item));
        self.0.push(')');
        self
    }

    /// Appends another line's text: safe lines joined stay safe, and nothing they hold can
    /// start a line any more.
    pub fn line(mut self, other: &DocLine) -> Self {
        self.0.push_str(&other.0);
        self
    }

    /// The text, without the leading space `///` puts before it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the line is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Whether rustc or rustdoc would reject or misrender `c` in docs: bidi controls (rustc denies
/// them in comments), other control characters, and invisible characters.
fn unwanted(c: char) -> bool {
    crate::model::is_bidi_control(c) || crate::model::is_invisible(c) || (c.is_control() && !matches!(c, '\n' | '\t'))
}

/// Folds whitespace and control characters to single spaces and drops bidi controls: a name
/// or value becomes one line of text.
fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if crate::model::is_bidi_control(c) || crate::model::is_invisible(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    let kept = out.trim_end().len();
    out.truncate(kept);
    out
}

/// Schema text that is not a description, made safe as prose in one doc line: folded to one
/// line, with everything Markdown would read as syntax (code spans, fences, links, tags)
/// escaped, and URLs made autolinks so rustdoc does not flag them.
pub fn inline(text: &str) -> String {
    escape_text(&fold(text), &['\\', '`', '~', '[', ']', '<', '>'])
}

/// Schema text for the inside of a code span: one line, and no backtick to end it early.
fn code_text(text: &str) -> String {
    fold(text).replace('`', "'")
}

/// Turns free text into doc lines, each ready for `#[doc = " …"]`.
pub fn lines(text: &str) -> Vec<DocLine> {
    // Line and paragraph separators read as line breaks in editors, so they become ones.
    let text: String = text
        .chars()
        .map(|c| if matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') { '\n' } else { c })
        .filter(|&c| !unwanted(c) || c == '\r')
        .collect();
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
    let mut deduped: Vec<DocLine> = Vec::with_capacity(out.len());
    for line in out {
        if line.is_empty() && deduped.last().is_some_and(DocLine::is_empty) {
            continue;
        }
        deduped.push(DocLine(line));
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
            out.push_str(&escape_text(rest, MARKUP));
            break;
        };
        out.push_str(&escape_text(&rest[..start], MARKUP));
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

/// What descriptions have escaped outside code: intra-doc links and HTML tags. Their other
/// Markdown is kept, since it was written as Markdown.
const MARKUP: &[char] = &['[', ']', '<', '>'];

/// Escapes `escaped` characters with a backslash and wraps bare URLs in `<…>`.
fn escape_text(text: &str, escaped: &[char]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let url_at = ["https://", "http://"].iter().filter_map(|p| rest.find(p)).min();
        let (plain, tail) = match url_at {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        for c in plain.chars() {
            if escaped.contains(&c) {
                out.push('\\');
            }
            out.push(c);
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

/// A JSON value as inline code in docs, or `None` when it would not read well there (long,
/// or holding a backtick or a character docs drop).
pub fn inline_value(value: &serde_json::Value) -> Option<DocLine> {
    let text = value.to_string();
    let readable = text.len() <= 80 && !text.contains('`') && !text.contains(|c: char| c.is_control() || unwanted(c));
    readable.then(|| DocLine::blank().code(&text))
}

#[cfg(test)]
impl PartialEq<&str> for DocLine {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_values_become_one_escaped_line() {
        assert_eq!(inline("x\n~~~rust\npanic!()\n~~~"), r"x \~\~\~rust panic!() \~\~\~");
        assert_eq!(inline("  a\r\n\t\u{0}b  "), "a b");
        assert_eq!(inline(r"[a](b) <c> `d` \e"), r"\[a\](b) \<c\> \`d\` \\e");
        assert_eq!(inline("\u{202e}ab\u{2066}c\u{200f}\u{61c}"), "abc");
        assert_eq!(inline("see https://x.dev/a"), "see <https://x.dev/a>");
        let line = DocLine::of("The ").code("x\n```rust\n`y`").text(" value of ").link("Parent").text(".");
        assert_eq!(line.as_str(), "The `x '''rust 'y'` value of [`Parent`].");
    }

    #[test]
    fn descriptions_lose_bidi_and_control_characters() {
        assert_eq!(lines("a\u{202e}b\u{7}c\u{7f}\r\nd"), ["abc", "d"]);
    }

    #[test]
    fn invisible_characters_are_dropped_and_separators_break_lines() {
        assert_eq!(lines("a\u{200b}b\u{ad}c\u{2060}d\u{feff}e\u{2028}f\u{2029}g\u{85}h"), ["abcde", "f", "g", "h"]);
        assert_eq!(inline("a\u{200b}b\u{ad}c\u{2028}d"), "abc d");
    }

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
