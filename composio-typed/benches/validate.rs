//! The cost of the argument check on a large input: a GitHub ruleset of 1,000 rules (a third
//! each pull-request rules with bounded counts, status-check rules with ten non-empty contexts,
//! commit-message rules with length-bounded patterns), and the runtime's pattern and format
//! helpers on 1,000 strings. Run it with:
//!
//! ```text
//! cargo bench -p composio-typed --features github --bench validate
//! ```

use std::hint::black_box;

use composio_typed::Tool;
use composio_typed::toolkits::github::{
    CommitMessagePatternRule, CommitMessagePatternRuleParameters, CommitMessagePatternRuleParametersOperator,
    CreateAMilestoneInput, CreateARepositoryRulesetEnforcement, CreateARepositoryRulesetInput,
    CreateARepositoryRulesetRulesItem, PullRequestRule, PullRequestRuleParameters, RequiredStatusChecksRule,
    RequiredStatusChecksRuleParameters, StatusCheckConfiguration,
};
use composio_typed::validate::{Path, Pattern, Violations};
use criterion::Criterion;

const RULES: usize = 1000;

fn ruleset() -> CreateARepositoryRulesetInput {
    let rules = (0..RULES).map(|i| match i % 3 {
        0 => CreateARepositoryRulesetRulesItem::PullRequest(Box::new(PullRequestRule::new(
            PullRequestRuleParameters::new((i % 10) as i64, true, false, true, false),
        ))),
        1 => CreateARepositoryRulesetRulesItem::RequiredStatusChecks(Box::new(RequiredStatusChecksRule::new(
            RequiredStatusChecksRuleParameters::new(
                (0..10).map(|c| StatusCheckConfiguration::new(format!("ci/check-{c}"))),
                true,
            ),
        ))),
        _ => CreateARepositoryRulesetRulesItem::CommitMessagePattern(Box::new(CommitMessagePatternRule::new(
            CommitMessagePatternRuleParameters::new(
                CommitMessagePatternRuleParametersOperator::Regex,
                format!("^(feat|fix|docs)(\\(ü{i}\\))?: .{{1,{}}}$", 72 + i % 20),
            ),
        ))),
    });
    CreateARepositoryRulesetInput::new("octocat", "hello-world", "protect", CreateARepositoryRulesetEnforcement::Active)
        .rules(rules)
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    let input = ruleset();
    let mut v = Violations::default();
    input.validate(&mut v);
    assert!(v.is_empty(), "the benchmark input is valid: {v}");
    criterion.bench_function("validate ruleset of 1000 rules (valid)", |b| {
        b.iter(|| {
            let mut v = Violations::default();
            black_box(&input).validate(&mut v);
            black_box(v)
        })
    });
    let milestone = CreateAMilestoneInput::new("octocat", "hello-world", "2.0").due_on("2026-01-31T00:00:00Z");
    criterion.bench_function("validate a milestone (one date-time, the typical size)", |b| {
        b.iter(|| {
            let mut v = Violations::default();
            black_box(&milestone).validate(&mut v);
            black_box(v)
        })
    });
    let strings: Vec<String> = (0..1000).map(|i| format!("2025-10-{:02}T10:{:02}:00Z", 1 + i % 28, i % 60)).collect();
    static TIMESTAMP: Pattern = Pattern::new("^[0-9]{4}-[0-9]{2}-[0-9]{2}T");
    criterion.bench_function("pattern + date-time + maxLength on 1000 strings (valid)", |b| {
        b.iter(|| {
            let mut v = Violations::default();
            let root = Path::ROOT;
            v.each(root.field("times"), black_box(&strings), |v, at, s| {
                v.pattern(at, s, &TIMESTAMP);
                v.date_time(at, s);
                v.max_length(at, s, 64);
            });
            black_box(v)
        })
    });
    let broken: Vec<String> = strings.iter().map(|s| s.replace('T', " ")).collect();
    criterion.bench_function("the same on 1000 strings, each breaking two rules", |b| {
        b.iter(|| {
            let mut v = Violations::default();
            let root = Path::ROOT;
            v.each(root.field("times"), black_box(&broken), |v, at, s| {
                v.pattern(at, s, &TIMESTAMP);
                v.date_time(at, s);
                v.max_length(at, s, 64);
            });
            black_box(v)
        })
    });
    criterion.final_summary();
}
