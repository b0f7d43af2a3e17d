//! Cursor pagination of the list routes.

use serde_json::{Value, json};

use super::query::query_get;
use super::reply::{bad_request, response};
use super::{Answer, Refusal};
use crate::util::{base64_decode, base64_encode};

/// Default page size of the list routes (the spec names none).
const DEFAULT_LIMIT: usize = 20;
/// The spec's maximum page size.
const MAX_LIMIT: usize = 1000;

/// One page of a list: `[start, end)` of the sorted items, and the fields around `items`.
pub(super) struct Window {
    pub(super) start: usize,
    pub(super) end: usize,
    page: u64,
    total_pages: u64,
    total: usize,
    next_cursor: Option<String>,
}

fn encode_cursor(page: u64, limit: usize) -> String {
    base64_encode(json!({"page": page, "limit": limit}).to_string().as_bytes())
}

/// The cursor is, as the spec describes, base64 of the page number and the page size; the
/// size in the cursor wins over `limit`, so a client that changes `limit` mid-way still
/// walks consistent pages.
pub(super) fn window(q: &[(String, String)], total: usize) -> Result<Window, Refusal> {
    let mut limit = match query_get(q, "limit") {
        None | Some("null") => DEFAULT_LIMIT,
        Some(raw) => {
            let n: f64 = raw.trim().parse().map_err(|_| {
                bad_request("Invalid query parameters", vec![format!("limit: expected a number, got {raw:?}")])
            })?;
            if !n.is_finite() || n.fract() != 0.0 || n < 1.0 {
                return Err(bad_request(
                    "Invalid query parameters",
                    vec![format!("limit: must be a positive integer, got {raw}")],
                ));
            }
            if n > MAX_LIMIT as f64 {
                return Err(bad_request(
                    "Invalid query parameters",
                    vec![format!("limit: max allowed is {MAX_LIMIT}, got {raw}")],
                ));
            }
            n as usize
        }
    };
    let mut page = 1u64;
    if let Some(cursor) = query_get(q, "cursor") {
        let decoded = base64_decode(cursor).and_then(|b| serde_json::from_slice::<Value>(&b).ok()).and_then(|v| {
            let p = v.get("page")?.as_u64()?;
            let l = v.get("limit")?.as_u64()?;
            (p >= 1 && (1..=MAX_LIMIT as u64).contains(&l)).then_some((p, l as usize))
        });
        let Some((p, l)) = decoded else {
            return Err(bad_request(
                "Invalid query parameters",
                vec![format!("cursor: not a cursor this server produced: {cursor:?}")],
            ));
        };
        page = p;
        limit = l;
    }
    let start = usize::try_from(page - 1).ok().and_then(|p| p.checked_mul(limit)).unwrap_or(usize::MAX).min(total);
    let end = start.saturating_add(limit).min(total);
    let total_pages = (total.div_ceil(limit) as u64).max(1);
    Ok(Window {
        start,
        end,
        page,
        total_pages,
        total,
        next_cursor: (end < total).then(|| encode_cursor(page + 1, limit)),
    })
}

/// Writes a paginated answer without cloning the items into one big `Value`.
pub(super) fn page_answer<'a>(items: impl Iterator<Item = &'a Value>, w: &Window) -> Answer {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"items\":[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Writing a `Value` to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut out, item);
    }
    let tail = json!({
        "next_cursor": w.next_cursor,
        "total_pages": w.total_pages,
        "current_page": w.page,
        "total_items": w.total,
    })
    .to_string();
    out.extend_from_slice(b"],");
    out.extend_from_slice(&tail.as_bytes()[1..]);
    response(200, "application/json", out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::parse_query;

    #[test]
    fn windows() {
        let q = |s: &str| parse_query(s);
        let w = window(&q("limit=10"), 25).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end, w.page, w.total_pages), (0, 10, 1, 3));
        let cursor = w.next_cursor.unwrap();
        let w = window(&q(&format!("limit=10&cursor={cursor}")), 25).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end, w.page), (10, 20, 2));
        let cursor = w.next_cursor.unwrap();
        let w = window(&q(&format!("cursor={cursor}")), 25).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end, w.page), (20, 25, 3));
        assert!(w.next_cursor.is_none());
        let w = window(&q(""), 0).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end, w.total_pages), (0, 0, 1));
        for bad in ["limit=1001", "limit=0", "limit=-3", "limit=2.5", "limit=abc", "cursor=!!", "cursor=e30"] {
            assert!(window(&q(bad), 5).is_err(), "{bad}");
        }
        let huge = encode_cursor(u64::MAX, 1000);
        let w = window(&q(&format!("cursor={huge}")), 5).unwrap_or_else(|_| panic!());
        assert_eq!((w.start, w.end), (5, 5));
    }
}
