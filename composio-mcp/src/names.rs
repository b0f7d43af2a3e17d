//! The names tools are served under.

use std::collections::HashSet;

/// Claude Code calls a server's tool `mcp__<server>__<tool>` and sends that name to Anthropic,
/// which takes at most 64 characters; Cursor drops tools whose server and tool name together
/// pass 60. Composio slugs are long (`GITHUB_` plus up to 80 more), so names are shortened to
/// fit what is left after the prefix.
const CLIENT_MAX_NAME: usize = 64;
/// `mcp__` and `__` around the server name.
const PREFIX_OVERHEAD: usize = 7;
/// The least room a name gets, however long the server name.
const MIN_NAME: usize = 24;
/// MCP's own limit.
const MCP_MAX_NAME: usize = 128;
/// `_` and eight hex digits.
const HASH_SUFFIX: usize = 9;

/// How tools are named in `tools/list`. Calls may use the Composio slug under either naming.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Naming {
    /// Lower case, without the toolkit prefix when every tool is from one toolkit
    /// (`create_an_issue` on a server named `github`), and cut to fit
    /// `mcp__<server>__<tool>` in 64 characters, with a hash of the slug keeping cut names
    /// apart.
    #[default]
    Short,
    /// The Composio slug (`GITHUB_CREATE_AN_ISSUE`), as long as MCP allows.
    Slug,
}

/// The served name of each slug, in order; the slugs already meet MCP's name rule.
pub(crate) fn served_names(slugs: &[&str], server: &str, naming: Naming) -> Vec<String> {
    let budget = match naming {
        Naming::Short => CLIENT_MAX_NAME.saturating_sub(PREFIX_OVERHEAD + server.len()).clamp(MIN_NAME, MCP_MAX_NAME),
        Naming::Slug => MCP_MAX_NAME,
    };
    let prefix = match naming {
        Naming::Short => common_toolkit_prefix(slugs),
        Naming::Slug => None,
    };
    let mut taken = HashSet::new();
    slugs
        .iter()
        .map(|slug| {
            let base = match naming {
                Naming::Short => {
                    let short = prefix.and_then(|p| slug.strip_prefix(p)).filter(|s| !s.is_empty()).unwrap_or(slug);
                    short.to_ascii_lowercase()
                }
                Naming::Slug => (*slug).to_owned(),
            };
            let name = if base.len() <= budget && !taken.contains(&base) { base } else { hashed(&base, slug, budget) };
            taken.insert(name.clone());
            name
        })
        .collect()
}

/// `GITHUB_` when every slug starts with it.
fn common_toolkit_prefix<'a>(slugs: &[&'a str]) -> Option<&'a str> {
    let first = slugs.first()?;
    let cut = first.find('_')? + 1;
    let prefix = &first[..cut];
    slugs.iter().all(|s| s.starts_with(prefix)).then_some(prefix)
}

/// `base` cut to leave room for a hash of the slug, which stays the same across runs and
/// versions, so a client's saved permissions keep matching.
fn hashed(base: &str, slug: &str, budget: usize) -> String {
    // Names are ASCII (the MCP name rule), so a byte cut is a character boundary.
    let keep = base.len().min(budget - HASH_SUFFIX);
    format!("{}_{:08x}", &base[..keep], fnv1a(slug) as u32)
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_toolkit_loses_its_prefix_and_names_fit_claude_codes_prefix() {
        let long = "GITHUB_REMOVE_INTERACTION_RESTRICTIONS_FROM_YOUR_PUBLIC_REPOSITORIES_FOREVER";
        let names = served_names(&["GITHUB_CREATE_AN_ISSUE", long], "github", Naming::Short);
        assert_eq!(names[0], "create_an_issue");
        assert_eq!(format!("mcp__github__{}", names[1]).len(), 64);
        assert!(names[1].starts_with("remove_interaction_restrictions"), "{}", names[1]);
        assert_eq!(names, served_names(&["GITHUB_CREATE_AN_ISSUE", long], "github", Naming::Short));
    }

    #[test]
    fn two_toolkits_keep_their_prefixes_and_slug_naming_keeps_slugs() {
        let slugs = ["GITHUB_GET_A_REPOSITORY", "GMAIL_SEND_EMAIL"];
        assert_eq!(served_names(&slugs, "composio", Naming::Short), ["github_get_a_repository", "gmail_send_email"]);
        assert_eq!(served_names(&slugs, "composio", Naming::Slug), slugs);
    }

    #[test]
    fn names_that_would_collide_are_told_apart() {
        let names = served_names(&["GITHUB_LIST", "GITHUB_list"], "github", Naming::Short);
        assert_eq!(names[0], "list");
        assert_ne!(names[0], names[1]);
    }

    #[test]
    fn a_very_long_server_name_still_leaves_room() {
        let names = served_names(&["GITHUB_CREATE_AN_ISSUE_WITH_MANY_WORDS"], &"s".repeat(80), Naming::Short);
        assert_eq!(names[0].len(), MIN_NAME);
    }
}
