#!/usr/bin/env python3
"""Helpers of compile-cost.sh and compile-levers.sh: inputs, measuring, rustc wrapper, reports.

Run by those scripts; each subcommand is usable alone:

    compile_cost.py prepare CORPUS_JSON OUT_DIR N [N...]
    compile_cost.py run RESULTS METRIC SIDE N LOG -- COMMAND...
    compile_cost.py rustc-wrapper RUSTC ARGS...   (as RUSTC_WRAPPER; see below)
    compile_cost.py report RESULTS_TSV MD_OUT [HEADER_MD]
    compile_cost.py variants                      lists the variant names
    compile_cost.py variant NAME IN_RS OUT_RS     (for compile-levers.sh)
    compile_cost.py levers-report RESULTS_TSV MD_OUT [HEADER_MD]

## prepare

For each N, from the first N GITHUB_* tools sorted by slug:

- OUT_DIR/ours-N.json:   a JSON array of the N raw tool objects, untouched (our generator
                         reads the raw schemas);
- OUT_DIR/typify-N.json: one JSON Schema document for cargo-typify whose `$defs` holds, per
                         tool, its input schema (`<Tool>Input`) and the schema of the `data`
                         field of its output (`<Tool>Output`), cleaned so that typify 0.8
                         accepts it and its output compiles. With typify's default builders this
                         layout gives about 136,000 lines at N=823, as the issue measured.

The cleaning (each step exists because typify 0.8 fails without it on this corpus):

1. `default: null` is dropped (typify rejects it beside `nullable`), and `nullable: true` (an
   OpenAPI keyword typify ignores) becomes a `"null"` member of `type` (and of `enum`), so
   typify emits `Option<T>` as our generator does. A default that does not fit its own schema
   (`"True"` for an enum of `"true"`/`"false"`; `"/"` once `"/"` is dropped, see 3) is dropped:
   typify rejects the whole document ("value does not conform to the given schema").
2. Every `title` is dropped: titles repeat across tools (`Order`, `Sort`, `Direction`, `Data`)
   and typify fails the whole document when two types get one name. Types are then named after
   the `$defs` key and the property path, which are unique.
3. Enum values that collide once sanitised into Rust identifiers (`reactions-+1` and
   `reactions--1`, `+1` and `-1`, `a-b` and `a_b`, `self` and `Self`) make typify panic: the
   later value of each colliding group is dropped, and so is a value with no letter or digit
   at all (`/`). Only the typify side loses them.
4. Properties whose names collide once sanitised (`foo-bar` and `foo_bar`) would give duplicate
   fields: the later one is dropped; a property named `extra` beside `additionalProperties`
   (which typify flattens into a field hard-coded as `extra`) is renamed `extra_`.

It prints, per N, what the cleaning changed. Everything is written under OUT_DIR (in the
target directory): nothing derived from the corpus belongs in the repository.

## run

Runs COMMAND with its stdout and stderr appended to LOG and, if it succeeds, appends to RESULTS
the rows `METRIC SIDE N WALL_S PEAK_RSS_KB` and `METRIC_cpu SIDE N CPU_S PEAK_RSS_KB`: wall time
(monotonic clock around the child alone, so Python's start-up is not counted), user + system CPU
time and peak resident set of the child and of every descendant it waited for
(`getrusage(RUSAGE_CHILDREN)`), so no GNU time is needed. CPU time is what to trust on a busy
machine: other processes stretch wall time far more than they stretch CPU time.

## rustc-wrapper

Used as `RUSTC_WRAPPER` for every cargo command of the scratch workspaces (always the same
wrapper, so cargo's fingerprints never change between commands). It runs rustc unchanged; when
the crate being compiled is `$BENCH_MEASURE_CRATE` it also appends rows `rustc` and `rustc_cpu`
for `$BENCH_TAG` (`SIDE<TAB>N`) to `$BENCH_RESULTS`, measured as `run` does, for that rustc
process alone.

## variant

Writes a copy of a generated module (ours, as prettyplease formats it) with one kind of item
taken out, to see what each kind costs `cargo check`. Names: see VARIANTS. Every variant still
compiles: taking out the `Tool` impls takes out the functions too (they call `Client::call`,
which needs the impl), and taking out serde does the same (the `Tool` trait needs `Serialize`).

## report

Turns the results TSV (`metric side n value rss_kb` per line, one per repetition, and
`lines side n count 0`) into the markdown tables, writes them to MD_OUT after HEADER_MD, and
prints them.
"""

import json
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
SUBSCHEMA_ONE = ("additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames",
                 "unevaluatedProperties", "unevaluatedItems", "additionalItems")


def pascal(slug: str) -> str:
    return "".join(w.capitalize() for w in slug.lower().split("_") if w)


def ident_key(text: str) -> str:
    """What a name looks like after any identifier sanitising: case, separators and signs gone."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


JSON_TYPES = {"string": str, "integer": int, "boolean": bool, "number": (int, float), "object": dict,
              "array": list}


def fits(value, schema) -> bool:
    """A shallow check of a default against its schema's `type` and `enum`, as typify makes."""
    if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
        return False
    types = schema.get("type")
    if types is None:
        return True
    for t in types if isinstance(types, list) else [types]:
        if t == "null" and value is None:
            return True
        if t in JSON_TYPES and isinstance(value, JSON_TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool)):
            return True
    return False


def clean(schema, stats: Counter):
    if isinstance(schema, bool) or not isinstance(schema, dict):
        return schema
    s = dict(schema)
    if "default" in s and s["default"] is None:
        del s["default"]
        stats["default: null dropped"] += 1
    if s.pop("nullable", False) is True:
        t = s.get("type")
        if isinstance(t, str) and t != "null":
            s["type"] = [t, "null"]
        elif isinstance(t, list) and "null" not in t:
            s["type"] = t + ["null"]
        if isinstance(s.get("enum"), list) and None not in s["enum"]:
            s["enum"] = s["enum"] + [None]
        stats["nullable -> type null"] += 1
    if isinstance(s.get("enum"), list):
        seen, kept = set(), []
        for v in s["enum"]:
            if isinstance(v, str):
                k = ident_key(v)
                if k in seen or k == "":
                    stats["colliding enum values dropped"] += 1
                    continue
                seen.add(k)
            kept.append(v)
        s["enum"] = kept
    if "default" in s and not fits(s["default"], s):
        del s["default"]
        stats["defaults that do not fit dropped"] += 1
    if "title" in s:
        del s["title"]
        stats["titles dropped"] += 1
    if isinstance(s.get("properties"), dict):
        seen, props = set(), {}
        for name, sub in s["properties"].items():
            k = ident_key(name)
            if k in seen:
                stats["colliding properties dropped"] += 1
                if isinstance(s.get("required"), list):
                    s["required"] = [r for r in s["required"] if r != name]
                continue
            seen.add(k)
            if name == "extra" and s.get("additionalProperties") not in (None, False):
                stats["`extra` beside additionalProperties renamed"] += 1
                if isinstance(s.get("required"), list):
                    s["required"] = ["extra_" if r == "extra" else r for r in s["required"]]
                name = "extra_"
            props[name] = sub
        s["properties"] = props
    for key in SUBSCHEMA_MAPS:
        if isinstance(s.get(key), dict):
            s[key] = {k: clean(v, stats) for k, v in s[key].items()}
    for key in SUBSCHEMA_LISTS:
        if isinstance(s.get(key), list):
            s[key] = [clean(v, stats) for v in s[key]]
    for key in SUBSCHEMA_ONE:
        if key in s:
            v = s[key]
            s[key] = [clean(x, stats) for x in v] if isinstance(v, list) else clean(v, stats)
    # `examples` and `default` are data, not schemas: left alone.
    return s



def prepare(corpus: Path, out_dir: Path, sizes: list[int]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    tools = sorted((t for t in json.loads(corpus.read_text()) if t["slug"].startswith("GITHUB_")),
                   key=lambda t: t["slug"])
    for n in sizes:
        if n > len(tools):
            sys.exit(f"asked for {n} GitHub tools, the corpus has {len(tools)}")
        chosen = tools[:n]
        (out_dir / f"ours-{n}.json").write_text(json.dumps(chosen))
        stats: Counter = Counter()
        defs = {}
        for t in chosen:
            name = pascal(t["slug"].removeprefix("GITHUB_"))
            defs[f"{name}Input"] = clean(t["input_parameters"], stats)
            data = (t.get("output_parameters") or {}).get("properties", {}).get("data", {"type": "object"})
            defs[f"{name}Output"] = clean(data, stats)
        doc = {"$schema": "http://json-schema.org/draft-07/schema#", "$defs": defs}
        (out_dir / f"typify-{n}.json").write_text(json.dumps(doc))
        print(f"  N={n}: {len(defs)} typify definitions; cleaning: "
              + ", ".join(f"{k} {v}" for k, v in sorted(stats.items())))


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def record(results: Path, metric: str, tag: str, wall: float, cpu: float, rss: int) -> None:
    with open(results, "a") as out:
        out.write(f"{metric}\t{tag}\t{wall:.4f}\t{rss}\n{metric}_cpu\t{tag}\t{cpu:.4f}\t{rss}\n")


def run(results: Path, metric: str, side: str, n: str, log: Path, command: list[str]) -> int:
    with open(log, "ab") as out:
        start = time.perf_counter()
        code = subprocess.call(command, stdout=out, stderr=subprocess.STDOUT)
        wall = time.perf_counter() - start
    if code == 0:
        record(results, metric, f"{side}\t{n}", wall, cpu_of_children(),
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return code


def rustc_wrapper(args: list[str]) -> int:
    crate = None
    for i, a in enumerate(args):
        if a == "--crate-name" and i + 1 < len(args):
            crate = args[i + 1]
    target = os.environ.get("BENCH_MEASURE_CRATE")
    if not target or crate != target:
        os.execvp(args[0], args)
    start = time.perf_counter()
    code = subprocess.call(args)
    wall = time.perf_counter() - start
    if code == 0:
        record(Path(os.environ["BENCH_RESULTS"]), "rustc", os.environ["BENCH_TAG"], wall, cpu_of_children(),
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return code


def scan_depth(line: str, depth: int, state: list) -> int:
    """Bracket depth after `line`, ignoring strings, raw strings and comments.

    `state` carries an open raw string (its closing delimiter) or normal string across lines.
    """
    i = 0
    while i < len(line):
        if state:
            close = state[0]
            if close == '"':
                if line[i] == "\\":
                    i += 2
                    continue
                if line[i] == '"':
                    state.clear()
                i += 1
                continue
            j = line.find(close, i)
            if j < 0:
                return depth
            state.clear()
            i = j + len(close)
            continue
        c = line[i]
        if line.startswith("//", i):
            return depth
        m = re.match(r'r(#*)"', line[i:]) if c == "r" and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")) else None
        if m:
            state.append('"' + m.group(1))
            i += len(m.group(0))
            continue
        if c == '"':
            state.append('"')
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        i += 1
    return depth


def top_level_items(text: str):
    """Splits a formatted module into top-level items (docs and attributes included) and the
    blank lines between them: a list of lists of lines."""
    items, current, depth, state = [], [], 0, []
    for line in text.splitlines():
        if not current and not line.strip():
            items.append([line])
            continue
        current.append(line)
        depth = scan_depth(line, depth, state)
        stripped = line.strip()
        is_attr_or_doc = stripped.startswith(("///", "//!", "//", "#[", "#!["))
        if depth == 0 and not state and not is_attr_or_doc and stripped.endswith(("}", ";")):
            items.append(current)
            current = []
        elif depth == 0 and not state and line.startswith(("//", "#![")) and len(current) == 1 and not line.startswith("///"):
            items.append(current)
            current = []
    if current:
        items.append(current)
    return items


def head(item: list[str]) -> str:
    """The first line of an item that is not a doc comment or (part of) an attribute."""
    depth, state = 0, []
    for line in item:
        stripped = line.strip()
        if depth == 0 and stripped.startswith("///"):
            continue
        if depth == 0 and not stripped.startswith("#["):
            return stripped
        depth = scan_depth(line, depth, state)
    return ""


def strip_attrs(lines: list[str], drop) -> list[str]:
    """Removes attributes (possibly spanning lines) for which drop(text) is true, at any depth."""
    out, i = [], 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith("#["):
            depth, state, j = 0, [], i
            while True:
                depth = scan_depth(lines[j], depth, state)
                if depth == 0 and not state:
                    break
                j += 1
            text = " ".join(x.strip() for x in lines[i:j + 1])
            replaced = drop(text)
            if replaced is None:
                out.extend(lines[i:j + 1])
            elif replaced:
                out.append(lines[i][: len(lines[i]) - len(lines[i].lstrip())] + replaced)
            i = j + 1
            continue
        out.append(lines[i])
        i += 1
    return out


def derive_filter(keep):
    def drop(text):
        m = re.fullmatch(r"#\[derive\((.*)\)\]", text)
        if not m:
            return None
        kept = [d.strip() for d in m.group(1).split(",") if d.strip() and keep(d.strip())]
        return f"#[derive({', '.join(kept)})]" if kept else ""
    return drop


def is_serde(d: str) -> bool:
    return d.split("::")[-1].strip() in ("Serialize", "Deserialize")


def drop_serde_attr(text):
    return "" if text.startswith("#[serde(") else None


VARIANTS = {
    "full": "as generated",
    "no_schema_strings": "the raw JSON Schema strings in `ToolMeta` replaced by \"\"",
    "no_docs": "every `///` doc comment removed",
    "no_fns": "the per-tool functions removed",
    "no_tool_impls": "the `Tool` impls removed (and the functions, which need them)",
    "no_ctor_setters": "the inherent impls (constructor, setters) and `Default` impls removed",
    "serde_derives_only": "`Clone`, `Copy`, `Debug`, `PartialEq`, `Eq`, `Hash` derives removed",
    "no_partial_eq": "`PartialEq` and `Eq` derives removed",
    "no_debug": "`Debug` derives removed",
    "no_clone": "`Clone` and `Copy` derives removed",
    "no_skip_serializing_if": "`#[serde(skip_serializing_if = ...)]` attributes removed (changes the JSON: measure only)",
    "no_serde": "serde derives and `#[serde]` attributes removed (and the `Tool` impls and functions)",
    "bare_types": "only the type declarations: no derives, attributes, impls, functions, docs or schemas",
}


def variant(name: str, text: str) -> str:
    if name not in VARIANTS:
        sys.exit(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}")
    if name == "full":
        return text
    if name == "no_schema_strings":
        return re.sub(r'((?:input|output)_schema): r(#+)".*?"\2(?!#)', r'\1: ""', text, flags=re.S)
    if name == "no_docs":
        return "\n".join(l for l in text.splitlines() if not l.strip().startswith("///")) + "\n"
    drop_heads = {
        "no_fns": ("pub fn ",),
        "no_tool_impls": ("pub fn ", "impl Tool for "),
        "no_ctor_setters": ("impl ",),
        "serde_derives_only": (),
        "no_partial_eq": (),
        "no_debug": (),
        "no_clone": (),
        "no_skip_serializing_if": (),
        "no_serde": ("pub fn ", "impl Tool for "),
        "bare_types": ("pub fn ", "impl "),
    }[name]
    out = []
    for item in top_level_items(text):
        h = head(item)
        if h.startswith(drop_heads) and not (name == "no_ctor_setters" and h.startswith("impl Tool for ")):
            continue
        if name == "serde_derives_only":
            item = strip_attrs(item, derive_filter(is_serde))
        elif name == "no_partial_eq":
            item = strip_attrs(item, derive_filter(lambda d: d not in ("PartialEq", "Eq")))
        elif name == "no_debug":
            item = strip_attrs(item, derive_filter(lambda d: d != "Debug"))
        elif name == "no_clone":
            item = strip_attrs(item, derive_filter(lambda d: d not in ("Clone", "Copy")))
        elif name == "no_skip_serializing_if":
            item = strip_attrs(item, lambda t: "" if t.startswith("#[serde(skip_serializing_if") else None)
        elif name == "no_serde":
            item = strip_attrs(item, derive_filter(lambda d: not is_serde(d)))
            item = strip_attrs(item, drop_serde_attr)
        elif name == "bare_types":
            item = strip_attrs(item, lambda t: "")
            item = [l for l in item if not l.strip().startswith("///")]
        out.extend(item)
    return "\n".join(out) + "\n"


def load(results: Path):
    rows = defaultdict(list)
    for line in results.read_text().splitlines():
        metric, side, n, a, b = line.split("\t")
        rows[(metric, side, int(n))].append((float(a), int(b)))
    return rows


def med(rows, key):
    return statistics.median(a for a, _ in rows[key]) if rows.get(key) else None


def peak(rows, key):
    return max(b for _, b in rows[key]) if rows.get(key) else None


def fmt_s(v):
    return "n/a" if v is None else f"{v:.2f} s"


def fmt_mb(kb):
    return "n/a" if kb is None else f"{kb / 1024:.0f} MB"


def fmt_n(v):
    return "n/a" if v is None else f"{v:,.0f}"


def ratio(a, b):
    return "n/a" if a is None or b in (None, 0) else f"{a / b:.2f}×"


def verdict(value, limit):
    if value is None or limit is None:
        return ""
    return "met" if value <= limit else "**missed**"


def exponent(points):
    """Slope of log(value) against log(N) between the smallest and the largest N measured."""
    points = [(n, v) for n, v in points if v and v > 0]
    if len(points) < 2:
        return "n/a"
    (n0, v0), (n1, v1) = points[0], points[-1]
    return f"{math.log(v1 / v0) / math.log(n1 / n0):.2f}"


def report(results: Path, md_out: Path, header: str) -> None:
    rows = load(results)
    sizes = sorted({n for (m, _s, n) in rows if m == "gen" and n > 0})
    n = max(sizes)
    m = lambda metric, side, k=n: med(rows, (metric, side, k))  # noqa: E731
    p = lambda metric, side, k=n: peak(rows, (metric, side, k))  # noqa: E731
    out = [header, "", f"## Figures at N = {n} GitHub tools", "",
           "| figure | ours | peer (cargo-typify) | ours / peer | target | |",
           "|---|---:|---:|---:|---|---|"]

    def line(fig, o, q, f, limit=None):
        r = None if o is None or not q else o / q
        target = f"≤ {limit}×" if limit else ""
        out.append(f"| {fig} | {f(o)} | {f(q)} | {ratio(o, q)} | {target} | {verdict(r, limit) if limit else ''} |")

    per_tool = lambda v: None if v is None else v / n  # noqa: E731
    line("generation wall time (median)", m("gen", "ours"), m("gen", "peer"), fmt_s, 0.5)
    line("generation CPU time (median)", m("gen_cpu", "ours"), m("gen_cpu", "peer"), fmt_s, 0.5)
    line("generator peak memory", p("gen", "ours"), p("gen", "peer"), fmt_mb)
    line("lines of generated code", m("lines", "ours"), m("lines", "peer"), fmt_n)
    line("lines per tool", per_tool(m("lines", "ours")), per_tool(m("lines", "peer")), fmt_n)
    line("`cargo check` wall time (touch + check, median)", m("check", "ours"), m("check", "peer"), fmt_s, 0.5)
    line("rustc wall time inside that check (median)", m("rustc", "ours"), m("rustc", "peer"), fmt_s, 0.5)
    line("rustc CPU time inside that check (median)", m("rustc_cpu", "ours"), m("rustc_cpu", "peer"), fmt_s, 0.5)
    line("peak rustc memory of that check", p("rustc", "ours"), p("rustc", "peer"), fmt_mb, 0.5)
    line("baseline, empty module: `cargo check` wall time", m("check", "ours", 0), m("check", "peer", 0), fmt_s)
    line("baseline, empty module: rustc CPU time", m("rustc_cpu", "ours", 0), m("rustc_cpu", "peer", 0), fmt_s)
    line("baseline, empty module: peak rustc memory", p("rustc", "ours", 0), p("rustc", "peer", 0), fmt_mb)
    tools_all = m("tools_all", "ours", 0)
    a_w, a_c, a_m = m("gen_all", "ours", 0), m("gen_all_cpu", "ours", 0), p("gen_all", "ours", 0)
    out += ["", f"## All {fmt_n(tools_all)} corpus tools (8 toolkits, 4 files), ours only", "",
            "| figure | ours | target | |", "|---|---:|---|---|",
            f"| generation wall time (median) | {fmt_s(a_w)} | < 1 s | {verdict(a_w, 0.999)} |",
            f"| generation CPU time (median) | {fmt_s(a_c)} | < 1 s | {verdict(a_c, 0.999)} |",
            f"| generator peak memory | {fmt_mb(a_m)} | < 200 MB | {verdict(a_m, 200 * 1024)} |",
            "", "## Scaling (medians; ratios are ours / peer)", "",
            "| N | gen ours | gen peer | ratio | rustc CPU ours | rustc CPU peer | ratio | check wall ours "
            "| check wall peer | ratio | rustc peak ours | rustc peak peer | ratio | lines ours | lines peer "
            "| lines/tool ours | lines/tool peer | gen ms/tool ours | rustc CPU ms/tool ours |",
            "|---:|" + "---:|" * 18]
    for k in sizes:
        go, gp = m("gen", "ours", k), m("gen", "peer", k)
        ro, rp = m("rustc_cpu", "ours", k), m("rustc_cpu", "peer", k)
        co, cp = m("check", "ours", k), m("check", "peer", k)
        mo, mp = p("rustc", "ours", k), p("rustc", "peer", k)
        lo, lp = m("lines", "ours", k), m("lines", "peer", k)
        ms = lambda v: "n/a" if v is None else f"{v * 1000 / k:.1f}"  # noqa: E731
        each = lambda v: "n/a" if v is None else f"{v / k:.0f}"  # noqa: E731
        out.append(f"| {k} | {fmt_s(go)} | {fmt_s(gp)} | {ratio(go, gp)} | {fmt_s(ro)} | {fmt_s(rp)} | {ratio(ro, rp)} "
                   f"| {fmt_s(co)} | {fmt_s(cp)} | {ratio(co, cp)} | {fmt_mb(mo)} | {fmt_mb(mp)} | {ratio(mo, mp)} "
                   f"| {fmt_n(lo)} | {fmt_n(lp)} | {each(lo)} | {each(lp)} | {ms(go)} | {ms(ro)} |")
    out += ["", f"Growth exponent e from N = {sizes[0]} to N = {n} (value ∝ N^e; e ≤ 1 is linear or better; "
            "memory is measured above the empty module's):", "", "| series | ours | peer |", "|---|---:|---:|"]
    for label, metric, agg, base in (("generation wall time", "gen", med, False),
                                     ("generation CPU time", "gen_cpu", med, False),
                                     ("rustc CPU time of the check", "rustc_cpu", med, False),
                                     ("`cargo check` wall time", "check", med, False),
                                     ("rustc peak memory", "rustc", peak, True),
                                     ("lines", "lines", med, False)):
        e = []
        for side in ("ours", "peer"):
            floor = (agg(rows, (metric, side, 0)) or 0) if base else 0
            e.append(exponent([(k, (agg(rows, (metric, side, k)) or 0) - floor) for k in sizes]))
        out.append(f"| {label} | {e[0]} | {e[1]} |")
    text = "\n".join(out) + "\n"
    md_out.parent.mkdir(parents=True, exist_ok=True)
    md_out.write_text(text)
    print(text)


def levers_report(results: Path, md_out: Path, header: str) -> None:
    rows = load(results)
    sides = []
    for (metric, side, _n) in rows:
        if metric == "check" and side not in sides:
            sides.append(side)
    base_c, base_w, base_m = med(rows, ("rustc_cpu", "full", 0)), med(rows, ("rustc", "full", 0)), peak(rows, ("rustc", "full", 0))
    out = [header, "", "| variant | what is taken out | lines | MB of source | rustc CPU | vs full | rustc wall "
           "| vs full | rustc peak memory | vs full |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    described = dict(VARIANTS, **{"peer_builder": "cargo-typify output, its default (builders)",
                                  "peer_no_builder": "cargo-typify output with `--no-builder`",
                                  "empty": "empty module: the fixed cost of loading the dependencies"})
    for side in sides:
        c, w, mem = med(rows, ("rustc_cpu", side, 0)), med(rows, ("rustc", side, 0)), peak(rows, ("rustc", side, 0))
        lines, size = med(rows, ("lines", side, 0)), med(rows, ("bytes", side, 0))
        out.append(f"| {side} | {described.get(side, '')} | {fmt_n(lines)} | "
                   f"{'n/a' if size is None else f'{size / 1e6:.2f}'} | {fmt_s(c)} | {ratio(c, base_c)} | "
                   f"{fmt_s(w)} | {ratio(w, base_w)} | {fmt_mb(mem)} | {ratio(mem, base_m)} |")
    text = "\n".join(out) + "\n"
    md_out.parent.mkdir(parents=True, exist_ok=True)
    md_out.write_text(text)
    print(text)


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "prepare":
        prepare(Path(args[0]), Path(args[1]), [int(n) for n in args[2:]])
    elif cmd == "run":
        if len(args) < 7 or args[5] != "--":
            sys.exit("usage: compile_cost.py run RESULTS METRIC SIDE N LOG -- COMMAND...")
        return run(Path(args[0]), args[1], args[2], args[3], Path(args[4]), args[6:])
    elif cmd == "rustc-wrapper":
        return rustc_wrapper(args)
    elif cmd == "variant":
        Path(args[2]).write_text(variant(args[0], Path(args[1]).read_text()))
    elif cmd == "variants":
        for name, what in VARIANTS.items():
            print(f"{name}\t{what}")
    elif cmd == "levers-report":
        levers_report(Path(args[0]), Path(args[1]), Path(args[2]).read_text() if len(args) > 2 else "")
    elif cmd == "report":
        report(Path(args[0]), Path(args[1]), Path(args[2]).read_text() if len(args) > 2 else "")
    else:
        sys.exit(f"unknown subcommand {cmd!r}\n\n{__doc__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
