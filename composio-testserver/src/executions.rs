//! When each tool execution ran, as the server saw it, and holds that make executions meet: for
//! tests of which calls a client runs side by side and which one at a time, without timing.
//!
//! Every execute request (`/tools/execute/{slug}`, a session's `execute` and `execute_meta`)
//! gets a span on a logical clock: a tick when it arrives and one when its answer is ready. Two
//! spans overlap only if the client had both requests in flight; a span that ends before another
//! starts proves the client waited for the first answer, since the answer is sent after the tick.

use std::time::Duration;

use tokio::sync::watch;

use crate::state::{State, lock};

/// One tool execution as the server saw it, on a logical clock shared by all executions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutionSpan {
    /// The tool slug, upper-case.
    pub slug: String,
    /// The tick at which the request arrived.
    pub started: u64,
    /// The tick at which its answer was ready; `None` while it runs, or when it was never
    /// answered (a dropped connection).
    pub ended: Option<u64>,
}

impl ExecutionSpan {
    /// Whether the two executions were in flight at the same time.
    pub fn overlaps(&self, other: &ExecutionSpan) -> bool {
        let end = |span: &ExecutionSpan| span.ended.unwrap_or(u64::MAX);
        self.started < end(other) && other.started < end(self)
    }

    /// Whether this execution was answered before `other` arrived.
    pub fn ended_before(&self, other: &ExecutionSpan) -> bool {
        self.ended.is_some_and(|end| end < other.started)
    }
}

/// The spans so far and the current hold.
#[derive(Default)]
pub(crate) struct Executions {
    clock: u64,
    spans: Vec<ExecutionSpan>,
    hold: Option<Hold>,
}

/// Execute requests of `slugs` wait until `until` of them are waiting together.
struct Hold {
    slugs: Vec<String>,
    until: usize,
    patience: Duration,
    waiting: usize,
    /// Bumped to release the waiting requests; a receiver made under the lock sees every bump
    /// after it, so a release cannot slip between the check and the wait.
    release: watch::Sender<u64>,
}

impl Executions {
    pub(crate) fn spans(&self) -> Vec<ExecutionSpan> {
        self.spans.clone()
    }

    pub(crate) fn clear(&mut self) {
        self.spans.clear();
    }

    pub(crate) fn set_hold(&mut self, slugs: &[&str], until: usize, patience: Duration) {
        self.hold = Some(Hold {
            slugs: slugs.iter().map(|s| s.to_uppercase()).collect(),
            until: until.max(1),
            patience,
            waiting: 0,
            release: watch::Sender::new(0),
        });
    }
}

/// Records the start of an execution of `slug` and, if a hold covers it, waits until enough
/// others arrive (or the hold's patience runs out). Returns the span's start tick for [`end`].
pub(crate) async fn begin(state: &State, slug: &str) -> u64 {
    let slug = slug.to_uppercase();
    let (started, wait) = {
        let mut executions = lock(&state.executions);
        executions.clock += 1;
        let started = executions.clock;
        executions.spans.push(ExecutionSpan { slug: slug.clone(), started, ended: None });
        let wait = match executions.hold.as_mut() {
            Some(hold) if hold.slugs.contains(&slug) => {
                hold.waiting += 1;
                if hold.waiting >= hold.until {
                    hold.waiting = 0;
                    hold.release.send_modify(|generation| *generation += 1);
                    None
                } else {
                    Some((hold.release.subscribe(), hold.patience))
                }
            }
            _ => None,
        };
        (started, wait)
    };
    if let Some((mut released, patience)) = wait
        && tokio::time::timeout(patience, released.changed()).await.is_err()
    {
        // Gave up waiting: no longer counts towards the next release.
        let mut executions = lock(&state.executions);
        if let Some(hold) = executions.hold.as_mut() {
            hold.waiting = hold.waiting.saturating_sub(1);
        }
    }
    started
}

/// Records the end of the execution that started at tick `started` (found by its tick, since
/// the spans may have been cleared meanwhile).
pub(crate) fn end(state: &State, started: u64) {
    let mut executions = lock(&state.executions);
    executions.clock += 1;
    let ended = executions.clock;
    if let Some(span) = executions.spans.iter_mut().rev().find(|s| s.started == started) {
        span.ended = Some(ended);
    }
}
