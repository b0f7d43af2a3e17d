//! Checking a typed input against its schema's constraints before a call is sent.
//!
//! Generated code implements [`Validate`] for every input type that (transitively) carries a
//! constraint, and overrides [`crate::Tool::validate`] on tool inputs that need it; types
//! without constraints get no code at all. Each check is a call of one of the helpers on
//! [`Violations`], which follow JSON Schema (and the `jsonschema` crate) exactly:
//! - lengths count Unicode code points, as JSON Schema's `minLength`/`maxLength` do;
//! - numbers compare exactly, an integer against a fractional bound included;
//! - `multipleOf` reads a fractional divisor as the decimal it is written as (`0.1` is one
//!   tenth, so `0.3` is a multiple of it), as `jsonschema` does;
//! - `pattern` searches (it is not anchored) with the `regex` crate, compiled once per pattern;
//!   the generator translates the schema's ECMA-262 pattern (`\d` is `[0-9]`) and leaves out,
//!   with a warning, any pattern the crate cannot compile (lookarounds, backreferences);
//! - formats: `date`, `time`, `date-time`, `ipv4`, `ipv6` and `uuid`, the ones whose
//!   definition is exact and cheap to check (`jsonschema`'s own checks, with format assertion
//!   on). `email`, `hostname`, `uri` and other formats are not checked.
//!
//! A path is built only when a violation is found, so a valid input costs a few comparisons.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::OnceLock;

/// A value that can check itself against its schema's constraints. Generated for input types
/// that carry constraints, directly or in a nested type.
pub trait Validate {
    /// Adds a [`Violation`] to `v` for each constraint `self` breaks; `at` is where `self` sits
    /// in the arguments.
    fn validate(&self, at: Path<'_>, v: &mut Violations);
}

impl<T: Validate + ?Sized> Validate for Box<T> {
    fn validate(&self, at: Path<'_>, v: &mut Violations) {
        (**self).validate(at, v);
    }
}

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, at: Path<'_>, v: &mut Violations) {
        if let Some(value) = self {
            value.validate(at, v);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, at: Path<'_>, v: &mut Violations) {
        for (index, item) in self.iter().enumerate() {
            item.validate(at.index(index), v);
        }
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate(&self, at: Path<'_>, v: &mut Violations) {
        for (key, item) in self {
            item.validate(at.key(key), v);
        }
    }
}

/// Where a value sits in the arguments: a chain of borrowed segments on the stack, turned into
/// text (`labels[2]`, `config.retries`) only when a violation is reported.
#[derive(Clone, Copy, Debug)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Segment<'a> {
    Root,
    Field(&'a str),
    Index(usize),
    Key(&'a str),
}

impl Path<'static> {
    /// The arguments object itself.
    pub const ROOT: Path<'static> = Path { parent: None, segment: Segment::Root };
}

impl<'a> Path<'a> {
    /// The property `name` of the object at `self`.
    pub fn field(&'a self, name: &'a str) -> Path<'a> {
        Path { parent: Some(self), segment: Segment::Field(name) }
    }

    /// The item `index` of the array at `self`.
    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path { parent: Some(self), segment: Segment::Index(index) }
    }

    /// The value under `key` of the map at `self`.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path { parent: Some(self), segment: Segment::Key(key) }
    }

    /// The path as text: properties joined by `.`, array items as `[2]`, map keys and
    /// properties that are not plain names as `["key"]`; empty for the root.
    pub fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            segments.push(path.segment);
            at = path.parent;
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            match segment {
                Segment::Root => {}
                Segment::Field(name) if is_plain(name) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(name);
                }
                Segment::Field(name) | Segment::Key(name) => {
                    out.push('[');
                    out.push_str(&serde_json::Value::from(*name).to_string());
                    out.push(']');
                }
                Segment::Index(index) => {
                    out.push('[');
                    out.push_str(&index.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

fn is_plain(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$')
}

/// One broken constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Where, as [`Path::render`] writes it (`labels[2]`).
    pub path: String,
    /// The JSON Schema keyword (`maxLength`, `format`).
    pub keyword: &'static str,
    /// What the value must be. It never repeats the value, which may be a secret.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "(arguments)" } else { &self.path };
        write!(f, "{path}: {}", self.message)
    }
}

/// Every constraint an input breaks, in the order the check meets them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Violations {
    list: Vec<Violation>,
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, violation) in self.list.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

impl Violations {
    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many violations were found.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The violations.
    pub fn iter(&self) -> std::slice::Iter<'_, Violation> {
        self.list.iter()
    }

    /// Records a violation of `keyword` at `at`. The message is only made here, on failure.
    #[cold]
    pub fn push(&mut self, at: Path<'_>, keyword: &'static str, message: String) {
        self.list.push(Violation { path: at.render(), keyword, message });
    }

    /// Checks a nested value that validates itself.
    pub fn nested<T: Validate + ?Sized>(&mut self, at: Path<'_>, value: &T) {
        value.validate(at, self);
    }

    /// Runs `check` on each item of an array, at its index.
    pub fn each<T>(&mut self, at: Path<'_>, items: &[T], mut check: impl FnMut(&mut Self, Path<'_>, &T)) {
        for (index, item) in items.iter().enumerate() {
            check(self, at.index(index), item);
        }
    }

    /// Runs `check` on each value of a map, at its key.
    pub fn each_value<T>(
        &mut self,
        at: Path<'_>,
        map: &BTreeMap<String, T>,
        mut check: impl FnMut(&mut Self, Path<'_>, &T),
    ) {
        for (key, item) in map {
            check(self, at.key(key), item);
        }
    }

    /// `minimum`.
    pub fn minimum(&mut self, at: Path<'_>, value: impl Number, bound: impl Number) {
        if compare(value.number(), bound.number()) == Some(Ordering::Less) {
            self.push(at, "minimum", format!("must be at least {}", bound.number()));
        }
    }

    /// `maximum`.
    pub fn maximum(&mut self, at: Path<'_>, value: impl Number, bound: impl Number) {
        if compare(value.number(), bound.number()) == Some(Ordering::Greater) {
            self.push(at, "maximum", format!("must be at most {}", bound.number()));
        }
    }

    /// `exclusiveMinimum`.
    pub fn exclusive_minimum(&mut self, at: Path<'_>, value: impl Number, bound: impl Number) {
        if matches!(compare(value.number(), bound.number()), Some(Ordering::Less | Ordering::Equal)) {
            self.push(at, "exclusiveMinimum", format!("must be greater than {}", bound.number()));
        }
    }

    /// `exclusiveMaximum`.
    pub fn exclusive_maximum(&mut self, at: Path<'_>, value: impl Number, bound: impl Number) {
        if matches!(compare(value.number(), bound.number()), Some(Ordering::Greater | Ordering::Equal)) {
            self.push(at, "exclusiveMaximum", format!("must be less than {}", bound.number()));
        }
    }

    /// `multipleOf`.
    pub fn multiple_of(&mut self, at: Path<'_>, value: impl Number, divisor: impl Number) {
        if !is_multiple_of(value.number(), divisor.number()) {
            self.push(at, "multipleOf", format!("must be a multiple of {}", divisor.number()));
        }
    }

    /// `minLength`, in Unicode code points.
    pub fn min_length(&mut self, at: Path<'_>, value: &str, min: u64) {
        // A character takes one to four bytes: most strings need no count.
        let bytes = value.len() as u64;
        if bytes < min || (bytes / 4 < min && (value.chars().count() as u64) < min) {
            self.push(at, "minLength", format!("must be at least {min} characters long"));
        }
    }

    /// `maxLength`, in Unicode code points.
    pub fn max_length(&mut self, at: Path<'_>, value: &str, max: u64) {
        // A character takes at least one byte: most strings need no count.
        if (value.len() as u64) > max && (value.chars().count() as u64) > max {
            self.push(at, "maxLength", format!("must be at most {max} characters long"));
        }
    }

    /// `pattern`: the value must contain a match.
    pub fn pattern(&mut self, at: Path<'_>, value: &str, pattern: &Pattern) {
        if pattern.regex().is_some_and(|re| !re.is_match(value)) {
            self.push(at, "pattern", format!("must match `{}`", pattern.source));
        }
    }

    /// `minItems`, given the array's length.
    pub fn min_items(&mut self, at: Path<'_>, len: usize, min: u64) {
        if (len as u64) < min {
            self.push(at, "minItems", format!("must have at least {min} items"));
        }
    }

    /// `maxItems`, given the array's length.
    pub fn max_items(&mut self, at: Path<'_>, len: usize, max: u64) {
        if (len as u64) > max {
            self.push(at, "maxItems", format!("must have at most {max} items"));
        }
    }

    /// `uniqueItems: true`.
    pub fn unique_items<T: PartialEq>(&mut self, at: Path<'_>, items: &[T]) {
        let repeated =
            items.iter().enumerate().find_map(|(i, a)| items[..i].iter().position(|b| a == b).map(|j| (j, i)));
        if let Some((first, again)) = repeated {
            self.push(at, "uniqueItems", format!("must not repeat items: items {first} and {again} are equal"));
        }
    }

    /// `format: date` (RFC 3339 `full-date`).
    pub fn date(&mut self, at: Path<'_>, value: &str) {
        self.format(at, is_date(value), "date");
    }

    /// `format: time` (RFC 3339 `full-time`, with its offset).
    pub fn time(&mut self, at: Path<'_>, value: &str) {
        self.format(at, is_time(value), "time");
    }

    /// `format: date-time` (RFC 3339).
    pub fn date_time(&mut self, at: Path<'_>, value: &str) {
        self.format(at, is_date_time(value), "date-time");
    }

    /// `format: ipv4`.
    pub fn ipv4(&mut self, at: Path<'_>, value: &str) {
        self.format(at, Ipv4Addr::from_str(value).is_ok(), "ipv4");
    }

    /// `format: ipv6`.
    pub fn ipv6(&mut self, at: Path<'_>, value: &str) {
        self.format(at, Ipv6Addr::from_str(value).is_ok(), "ipv6");
    }

    /// `format: uuid` (hyphenated, either case).
    pub fn uuid(&mut self, at: Path<'_>, value: &str) {
        self.format(at, is_uuid(value), "uuid");
    }

    fn format(&mut self, at: Path<'_>, valid: bool, name: &str) {
        if !valid {
            self.push(at, "format", format!("must be a valid `{name}`"));
        }
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// A schema's `pattern`, compiled on first use and then shared by every check: generated code
/// keeps one in a `static` per pattern.
pub struct Pattern {
    source: &'static str,
    compiled: OnceLock<Option<regex::Regex>>,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pattern").field(&self.source).finish()
    }
}

impl Pattern {
    /// A pattern in the `regex` crate's syntax, as the generator translated it.
    pub const fn new(source: &'static str) -> Pattern {
        Pattern { source, compiled: OnceLock::new() }
    }

    /// The compiled pattern; `None` if it does not compile, in which case it checks nothing
    /// (the generator only emits patterns it compiled with the same crate).
    fn regex(&self) -> Option<&regex::Regex> {
        self.compiled.get_or_init(|| regex::Regex::new(self.source).ok()).as_ref()
    }
}

/// A JSON number, as generated code holds it (`i64`, `f64`) or a schema bound is written
/// (`u64` beyond `i64`).
pub trait Number: Copy {
    /// The value, for exact comparison.
    fn number(self) -> Num;
}

impl Number for i64 {
    fn number(self) -> Num {
        Num::Int(i128::from(self))
    }
}

impl Number for u64 {
    fn number(self) -> Num {
        Num::Int(i128::from(self))
    }
}

impl Number for f64 {
    fn number(self) -> Num {
        Num::Float(self)
    }
}

/// A number as JSON holds it: a whole number or a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    /// An integer.
    Int(i128),
    /// A float.
    Float(f64),
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Int(n) => write!(f, "{n}"),
            Num::Float(x) => write!(f, "{x}"),
        }
    }
}

impl Num {
    fn as_f64(self) -> f64 {
        match self {
            #[expect(clippy::cast_precision_loss, reason = "as JSON Schema's float arithmetic does")]
            Num::Int(n) => n as f64,
            Num::Float(x) => x,
        }
    }
}

/// Exact comparison; `None` when a float is NaN.
fn compare(a: Num, b: Num) -> Option<Ordering> {
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(&y),
        (Num::Int(x), Num::Float(y)) => compare_int_float(x, y),
        (Num::Float(x), Num::Int(y)) => compare_int_float(y, x).map(Ordering::reverse),
    }
}

fn compare_int_float(int: i128, float: f64) -> Option<Ordering> {
    if float.is_nan() {
        return None;
    }
    // Beyond ±2^100 no i128 that holds a JSON integer (at most 64 bits) comes close.
    const FAR: f64 = 1.267_650_600_228_229_4e30;
    if float >= FAR {
        return Some(Ordering::Less);
    }
    if float <= -FAR {
        return Some(Ordering::Greater);
    }
    let whole = float.trunc();
    #[expect(clippy::cast_possible_truncation, reason = "a whole float below 2^100 fits an i128")]
    let whole_int = whole as i128;
    Some(int.cmp(&whole_int).then_with(|| 0.0_f64.partial_cmp(&(float - whole)).unwrap_or(Ordering::Equal)))
}

/// `multipleOf` as `jsonschema` decides it: whole divisors by integer arithmetic, fractional
/// ones on the decimals the two numbers print as.
fn is_multiple_of(value: Num, divisor: Num) -> bool {
    const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_992.0;
    let divisor = divisor.as_f64();
    if divisor.partial_cmp(&0.0) != Some(Ordering::Greater) {
        // A schema with a divisor that is not positive is invalid; nothing is checked.
        return true;
    }
    if divisor.fract() == 0.0 {
        if let Num::Int(v) = value
            && divisor <= MAX_SAFE_INTEGER
        {
            #[expect(clippy::cast_possible_truncation, reason = "a whole divisor at most 2^53")]
            return v % (divisor as i128) == 0;
        }
        let v = value.as_f64();
        return v.fract() == 0.0 && v % divisor == 0.0;
    }
    let v = value.as_f64();
    if v == 0.0 {
        return true;
    }
    if v.abs() < divisor {
        return false;
    }
    if let Some(answer) = divides_decimally(v, divisor) {
        return answer;
    }
    divides_exactly(v, divisor)
}

/// `value / divisor` is whole, read on the shortest decimals the two floats print as; `None`
/// when those do not fit an `i128`.
fn divides_decimally(value: f64, divisor: f64) -> Option<bool> {
    let (vm, vd) = decimal_parts(value)?;
    let (dm, dd) = decimal_parts(divisor)?;
    if dm == 0 {
        return None;
    }
    let shared = vd.min(dd);
    let scale = |mantissa: i128, decimals: i32| {
        let places = u32::try_from(decimals - shared).ok()?;
        mantissa.checked_mul(10_i128.checked_pow(places)?)
    };
    Some(scale(vm, dd)? % scale(dm, vd)? == 0)
}

/// A finite float as `mantissa × 10^-decimals`, from its shortest round-trip text.
fn decimal_parts(value: f64) -> Option<(i128, i32)> {
    if !value.is_finite() {
        return None;
    }
    // `{:e}` prints the shortest digits that read back as the same float: `1.2345e3`.
    let text = format!("{value:e}");
    let (digits, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let negative = digits.starts_with('-');
    let digits = digits.trim_start_matches('-');
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut mantissa: i128 = 0;
    for byte in whole.bytes().chain(fraction.bytes()) {
        mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(byte.checked_sub(b'0')?))?;
    }
    let decimals = i32::try_from(fraction.len()).ok()? - exponent;
    Some((if negative { -mantissa } else { mantissa }, decimals))
}

/// `value / divisor` is whole, on the binary values the floats hold: both are odd × 2^k, and
/// an odd denominator cannot cancel against a power of two.
fn divides_exactly(value: f64, divisor: f64) -> bool {
    let (vm, ve) = binary_parts(value);
    let (dm, de) = binary_parts(divisor);
    dm != 0 && ve >= de && vm % dm == 0
}

/// A finite, non-zero float as `odd mantissa × 2^exponent`.
fn binary_parts(value: f64) -> (u64, i32) {
    let bits = value.abs().to_bits();
    let exponent_bits = i32::try_from((bits >> 52) & 0x7ff).unwrap_or(0);
    let fraction = bits & ((1 << 52) - 1);
    let (mut mantissa, mut exponent) =
        if exponent_bits == 0 { (fraction, -1074) } else { (fraction | (1 << 52), exponent_bits - 1075) };
    if mantissa == 0 {
        return (0, 0);
    }
    let zeros = mantissa.trailing_zeros();
    mantissa >>= zeros;
    exponent += i32::try_from(zeros).unwrap_or(0);
    (mantissa, exponent)
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0_u32, |acc, b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
}

fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (digits(&b[..4]), digits(&b[5..7]), digits(&b[8..])) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

fn is_time(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() < 9 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(&b[..2]), digits(&b[3..5]), digits(&b[6..8])) else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = 8;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let sign = match b.get(i) {
        Some(b'Z' | b'z') => return i == b.len() - 1 && (second != 60 || (hour == 23 && minute == 59)),
        Some(b'+') => -1,
        Some(b'-') => 1,
        _ => return false,
    };
    let offset = &b[i + 1..];
    if offset.len() != 5 || offset[2] != b':' {
        return false;
    }
    let (Some(offset_hour), Some(offset_minute)) = (digits(&offset[..2]), digits(&offset[3..])) else {
        return false;
    };
    if offset_hour > 23 || offset_minute > 59 {
        return false;
    }
    if second != 60 {
        return true;
    }
    // A leap second is only valid at 23:59:60 UTC.
    let local = i64::from(hour) * 60 + i64::from(minute);
    let utc = (local + sign * (i64::from(offset_hour) * 60 + i64::from(offset_minute))).rem_euclid(24 * 60);
    utc == 23 * 60 + 59
}

fn is_date_time(value: &str) -> bool {
    match value.bytes().position(|b| b == b'T' || b == b't') {
        Some(at) => is_date(&value[..at]) && is_time(&value[at + 1..]),
        None => false,
    }
}

fn is_uuid(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: impl FnOnce(&mut Violations, Path<'_>)) -> Vec<(String, &'static str)> {
        let mut v = Violations::default();
        f(&mut v, Path::ROOT);
        v.iter().map(|x| (x.path.clone(), x.keyword)).collect()
    }

    #[test]
    fn paths_render_as_json_paths() {
        let root = Path::ROOT;
        let config = root.field("config");
        let labels = config.field("labels");
        let item = labels.index(2);
        assert_eq!(item.render(), "config.labels[2]");
        let odd = root.field("a.b");
        assert_eq!(odd.key("k\"").render(), r#"["a.b"]["k\""]"#);
        assert_eq!(Path::ROOT.render(), "");
    }

    #[test]
    fn lengths_count_code_points() {
        assert!(check(|v, at| v.max_length(at, "ééé", 3)).is_empty());
        assert_eq!(check(|v, at| v.max_length(at, "éééé", 3)).len(), 1);
        assert_eq!(check(|v, at| v.min_length(at, "😀", 2)).len(), 1);
        assert!(check(|v, at| v.min_length(at, "😀😀", 2)).is_empty());
    }

    #[test]
    fn numbers_compare_exactly() {
        assert!(check(|v, at| v.minimum(at, 1_i64, 1_i64)).is_empty());
        assert_eq!(check(|v, at| v.minimum(at, 0_i64, 0.5_f64)).len(), 1);
        assert!(check(|v, at| v.maximum(at, i64::MAX, 9.3e18_f64)).is_empty());
        assert_eq!(check(|v, at| v.maximum(at, i64::MAX, 9.2e18_f64)).len(), 1);
        assert_eq!(check(|v, at| v.exclusive_maximum(at, 5_i64, 5.0_f64)).len(), 1);
        assert!(check(|v, at| v.exclusive_minimum(at, 5.000_001_f64, 5_i64)).is_empty());
        assert!(check(|v, at| v.maximum(at, 1_i64, u64::MAX)).is_empty());
    }

    #[test]
    fn multiple_of_reads_decimals() {
        assert!(is_multiple_of(Num::Float(0.3), Num::Float(0.1)));
        assert!(is_multiple_of(Num::Float(19.99), Num::Float(0.01)));
        assert!(!is_multiple_of(Num::Float(1_070_468.145), Num::Float(0.01)));
        assert!(!is_multiple_of(Num::Float(4.5), Num::Float(1.0)));
        assert!(is_multiple_of(Num::Int(10), Num::Int(5)));
        assert!(!is_multiple_of(Num::Int(7), Num::Int(5)));
        assert!(is_multiple_of(Num::Int(3), Num::Float(1.5)));
        assert!(is_multiple_of(Num::Float(0.0), Num::Float(0.7)));
        assert!(divides_exactly(0.75, 0.25));
        assert!(!divides_exactly(0.3, 0.1));
    }

    #[test]
    fn formats_follow_rfc_3339() {
        assert!(is_date("2024-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2024-2-29"));
        assert!(is_time("23:59:60Z"));
        assert!(!is_time("22:59:60Z"));
        assert!(is_time("00:59:60+01:00"));
        assert!(is_date_time("2024-01-01T10:00:00.123+02:00"));
        assert!(!is_date_time("2024-01-01 10:00:00Z"));
        assert!(is_uuid("123e4567-E89b-12d3-a456-426614174000"));
        assert!(!is_uuid("123e4567e89b12d3a456426614174000"));
    }

    #[test]
    fn unique_items_names_the_repeat() {
        let found = check(|v, at| v.unique_items(at, &["a", "b", "a"]));
        assert_eq!(found, vec![(String::new(), "uniqueItems")]);
    }

    #[test]
    fn patterns_search_and_skip_what_does_not_compile() {
        static DIGITS: Pattern = Pattern::new("[0-9]{3}");
        static BROKEN: Pattern = Pattern::new("(?=x)");
        assert!(check(|v, at| v.pattern(at, "ab123", &DIGITS)).is_empty());
        assert_eq!(check(|v, at| v.pattern(at, "ab12", &DIGITS)).len(), 1);
        assert!(check(|v, at| v.pattern(at, "anything", &BROKEN)).is_empty());
    }
}
