#!/usr/bin/env bash
# Compile-cost benchmark of the generated code (issue 5): ours against cargo-typify 0.8, side by
# side, on the same GitHub tools of the real corpus.
#
#   composio-codegen/benches/compile-cost.sh [REPORT.md]
#
# Run it from anywhere. It needs python3, network access to crates.io the first time (to install
# cargo-typify and fetch the scratch crates' dependencies), and the corpus at
# ../shared/corpus/composio relative to the repository root (or $CORPUS).
#
# What it does, in order:
#  1. installs cargo-typify 0.8.x from crates.io into $TARGET/bench-tools, once;
#  2. builds our generator in release;
#  3. prepares, for N in $SIZES, the first N GITHUB_* tools (sorted by slug): raw for us, and
#     one cleaned JSON Schema document for typify (see compile_cost.py `prepare` for the layout
#     and every cleaning step);
#  4. times generation: ours is the release binary run with --from on the raw file, prettyplease
#     formatting and the file write included; the peer is `cargo typify` on the cleaned file,
#     with its defaults (builders on, rustfmt formatting). One unmeasured warm-up run each, then
#     $GEN_REPS runs, ours and the peer's alternating; the median wall time, the median CPU
#     time and the peak RSS are reported;
#  5. builds a scratch cargo workspace under $TARGET/bench/check, one library crate per side and
#     N holding only the generated module (ours depends on composio-typed by path; typify's on
#     serde, serde_json, chrono and regress, which its output names), checks it all once so the
#     dependencies are built, then $CHECK_REPS times round-robin over the crates: touch the
#     module and time `cargo check -p CRATE` (CARGO_INCREMENTAL=0, so every check is a full
#     one). A RUSTC_WRAPPER records wall time, CPU time and peak RSS of the rustc process of the
#     measured crate alone;
#  6. times generating the whole corpus (954 tools, 8 toolkits, 4 files) with our generator;
#  7. prints the table (figure, ours, peer, ours/peer, target) and writes it as markdown to
#     REPORT.md (default $TARGET/bench/compile-cost.md).
#
# Environment: CARGO_TARGET_DIR (default: <repo>/target), CORPUS, SIZES (default
# "100 200 400 823"), GEN_REPS (default 5), CHECK_REPS (default 3). Everything it writes is under
# the target directory; it never touches the repository's tracked files. Timings on a shared
# 2-core machine are noisy: medians are reported, with CPU time beside wall time (other
# processes stretch wall time much more than CPU time), and the load average before and after.
set -euo pipefail

# shellcheck source=bench-paths.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-paths.sh"
CORPUS="${CORPUS:-$ROOT/../shared/corpus/composio}"
SIZES="${SIZES:-100 200 400 823}"
read -r -a sizes <<<"$SIZES"
GEN_REPS="${GEN_REPS:-5}"
CHECK_REPS="${CHECK_REPS:-3}"
REPORT="${1:-$BENCH/compile-cost.md}"
OURS="$TARGET/release/composio-codegen"
RESULTS="$BENCH/results.tsv"
LOG="$BENCH/log.txt"
# The toolkits of the corpus files: the big file has no `toolkit` field, so each tool goes to the
# requested toolkit whose slug prefixes its own.
ALL_TOOLKITS=(github googledrive google_classroom google_admin google_maps google_analytics gmail notion)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is needed"
[ -f "$CORPUS/tools-github-google-latest.json" ] || die "no corpus at $CORPUS (set CORPUS)"
mkdir -p "$BENCH"
: >"$LOG"
: >"$RESULTS"

# measure METRIC SIDE N COMMAND...: runs COMMAND once and records its wall time, CPU time and
# peak RSS in $RESULTS.
measure() {
  python3 "$HELPER" run "$RESULTS" "$1" "$2" "$3" "$LOG" -- "${@:4}" || die "failed: ${*:4} (see $LOG)"
}

# 1. The peer.
if [ -x "$TYPIFY" ] && "$TYPIFY" typify --version 2>/dev/null | grep -q ' 0\.8\.'; then
  say "cargo-typify: $("$TYPIFY" typify --version)"
else
  say "installing cargo-typify 0.8 from crates.io into $TOOLS (once; several minutes)"
  cargo install --locked 'cargo-typify@^0.8' --root "$TOOLS"
fi
TYPIFY_VERSION="$("$TYPIFY" typify --version)"

# 2. Ours.
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
say "building composio-codegen (release)"
CARGO_TARGET_DIR="$TARGET" cargo build --release --quiet -p composio-codegen --manifest-path "$ROOT/Cargo.toml"

# 3. Inputs.
say "preparing inputs for N in $SIZES"
python3 "$HELPER" prepare "$CORPUS/tools-github-google-latest.json" "$BENCH/inputs" "${sizes[@]}" >&2

# 4. Generation.
mkdir -p "$BENCH/gen"
for n in "${sizes[@]}"; do
  say "generation, N=$n ($GEN_REPS runs each after a warm-up)"
  ours=("$OURS" --from "$BENCH/inputs/ours-$n.json" --out "$BENCH/gen/ours-$n" github)
  peer=("$TYPIFY" typify "$BENCH/inputs/typify-$n.json" -o "$BENCH/gen/peer-$n.rs")
  rm -rf "$BENCH/gen/ours-$n" "$BENCH/gen/peer-$n.rs"
  "${ours[@]}" >>"$LOG" 2>&1 || die "our generator failed on N=$n (see $LOG)"
  "${peer[@]}" >>"$LOG" 2>&1 || die "cargo-typify failed on N=$n (see $LOG)"
  for _ in $(seq "$GEN_REPS"); do
    measure gen ours "$n" "${ours[@]}"
    measure gen peer "$n" "${peer[@]}"
  done
  printf 'lines\tours\t%s\t%s\t0\n' "$n" "$(wc -l <"$BENCH/gen/ours-$n/github.rs")" >>"$RESULTS"
  printf 'lines\tpeer\t%s\t%s\t0\n' "$n" "$(wc -l <"$BENCH/gen/peer-$n.rs")" >>"$RESULTS"
done

# 5. Checking the generated code.
WS="$BENCH/check"
mkdir -p "$WS"
# N=0 is the baseline: an empty module, so the fixed cost of each side's dependencies (loading
# their metadata) shows apart from the cost of the generated code.
check_sizes=(0 "${sizes[@]}")
members=()
for n in "${check_sizes[@]}"; do members+=("\"ours-$n\"" "\"peer-$n\""); done
{
  echo '# Written by composio-codegen/benches/compile-cost.sh: one crate per generated module.'
  echo '[workspace]'
  echo "members = [$(IFS=,; echo "${members[*]}")]"
  echo 'resolver = "3"'
} >"$WS/Cargo.toml"
# Start from the repository's lock file, so composio-typed's dependencies are the versions the
# project builds with.
[ -f "$WS/Cargo.lock" ] || cp "$ROOT/Cargo.lock" "$WS/Cargo.lock"
for n in "${check_sizes[@]}"; do
  for side in ours peer; do
    crate="$WS/$side-$n"
    mkdir -p "$crate/src"
    {
      echo '[package]'
      echo "name = \"$side-$n\""
      echo 'version = "0.0.0"'
      echo 'edition = "2024"'
      echo 'publish = false'
      echo '[dependencies]'
      if [ "$side" = ours ]; then
        echo "composio-typed = { path = \"$ROOT/composio-typed\" }"
      else
        echo 'serde = { version = "1", features = ["derive"] }'
        echo 'serde_json = "1"'
        echo 'chrono = { version = "0.4", features = ["serde"] }'
        echo 'regress = "0.10"'
      fi
    } >"$crate/Cargo.toml"
    echo 'pub mod github;' >"$crate/src/lib.rs"
    if [ "$n" = 0 ]; then
      [ -f "$crate/src/github.rs" ] || echo '//! Empty: the baseline.' >"$crate/src/github.rs"
      continue
    fi
    if [ "$side" = ours ]; then src="$BENCH/gen/ours-$n/github.rs"; else src="$BENCH/gen/peer-$n.rs"; fi
    cmp -s "$src" "$crate/src/github.rs" || cp "$src" "$crate/src/github.rs"
  done
done
WRAPPER="$BENCH/rustc-wrapper"
printf '#!/bin/sh\nexec python3 %q rustc-wrapper "$@"\n' "$HELPER" >"$WRAPPER"
chmod +x "$WRAPPER"
export CARGO_TARGET_DIR="$BENCH/target" RUSTC_WRAPPER="$WRAPPER" CARGO_INCREMENTAL=0 BENCH_RESULTS="$RESULTS"
for n in "${check_sizes[@]}"; do
  for side in ours peer; do
    say "cargo check, $side N=$n: warm-up"
    # The warm-up builds the dependencies with the features this crate alone selects (cargo
    # unifies features over the packages a command selects, so `--workspace` would not do).
    touch "$WS/$side-$n/src/github.rs"
    cargo check --quiet -p "$side-$n" --manifest-path "$WS/Cargo.toml" >>"$LOG" 2>&1 \
      || die "cargo check of $side-$n failed (see $LOG)"
  done
done
# Round-robin over the crates, so a change in the machine's load spreads over every figure.
for rep in $(seq "$CHECK_REPS"); do
  for n in "${check_sizes[@]}"; do
    for side in ours peer; do
      say "cargo check, $side N=$n (run $rep of $CHECK_REPS)"
      touch "$WS/$side-$n/src/github.rs"
      BENCH_MEASURE_CRATE="${side}_$n" BENCH_TAG="$(printf '%s\t%s' "$side" "$n")" \
        measure check "$side" "$n" cargo check --quiet -p "$side-$n" --manifest-path "$WS/Cargo.toml"
    done
  done
done
unset CARGO_TARGET_DIR RUSTC_WRAPPER CARGO_INCREMENTAL

# 6. The whole corpus, ours only (typify cannot take it whole).
say "generation of the whole corpus ($GEN_REPS runs after a warm-up)"
froms=(--from "$CORPUS/tools-github-google-latest.json" --from "$CORPUS/tools-gmail-2025.json")
for f in "$CORPUS"/notion-*.json; do froms+=(--from "$f"); done
all=("$OURS" "${froms[@]}" --out "$BENCH/gen/all" "${ALL_TOOLKITS[@]}")
rm -rf "$BENCH/gen/all"
"${all[@]}" >"$BENCH/gen/all.txt" 2>&1 || die "our generator failed on the whole corpus (see $BENCH/gen/all.txt)"
tools_all="$(grep -oE '\([0-9]+ tools' "$BENCH/gen/all.txt" | tr -d '(' | awk '{s += $1} END {print s + 0}')"
printf 'tools_all\tours\t0\t%s\t0\n' "$tools_all" >>"$RESULTS"
for _ in $(seq "$GEN_REPS"); do measure gen_all ours 0 "${all[@]}"; done

# 7. The report.
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
mem="$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if ! git -C "$ROOT" diff --quiet HEAD 2>/dev/null; then commit="$commit (with uncommitted changes)"; fi
header="$BENCH/header.md"
cat >"$header" <<EOF
# Compile cost of the generated code: composio-codegen against cargo-typify

- command: \`composio-codegen/benches/compile-cost.sh\` (SIZES="$SIZES" GEN_REPS=$GEN_REPS CHECK_REPS=$CHECK_REPS)
- date: $(date -u +%Y-%m-%dT%H:%MZ); repository at $commit
- machine: $(nproc) cores, $cpu, $mem; $(rustc --version)
- peer: $TYPIFY_VERSION, run with its defaults (builders, rustfmt) on the cleaned schemas; ours on the raw schemas
- generation: median of $GEN_REPS runs after a warm-up, ours and the peer's alternating; process wall and CPU time,
  formatting and file write included; peak memory is the largest RSS seen
- check: \`cargo check -p CRATE\` of a scratch crate holding only the module, dependencies pre-built,
  CARGO_INCREMENTAL=0, after \`touch\`; median of $CHECK_REPS, round-robin; rustc wall time, CPU time and peak RSS
  of that crate's rustc alone
- load average (1, 5, 15 min) at the start: $LOAD_BEFORE; at the end: $(cut -d' ' -f1-3 /proc/loadavg)
EOF
python3 "$HELPER" report "$RESULTS" "$REPORT" "$header"
say "report written to $REPORT"
