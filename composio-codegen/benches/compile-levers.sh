#!/usr/bin/env bash
# Where the `cargo check` time of our generated code goes: checks copies of the generated GitHub
# module with one kind of item taken out at a time (see compile_cost.py `variant`), beside
# cargo-typify's output with and without builders and an empty module.
#
#   composio-codegen/benches/compile-levers.sh [REPORT.md]
#
# Run compile-cost.sh first: this reuses its generated modules, its tools and its built
# dependencies. Environment: CARGO_TARGET_DIR (default <repo>/target), LEVER_N (default: the
# largest N compile-cost.sh generated, 823), CHECK_REPS (default 3), VARIANTS (default: all, as
# `compile_cost.py variants` lists them), PEERS (default "peer_builder peer_no_builder"; empty
# to skip typify's, which take a minute a check).
# The report goes to REPORT.md (default $TARGET/bench/compile-levers.md). Stable rustc has no
# -Z time-passes or -Z self-profile, so this measures by subtraction instead; timings on a
# shared 2-core machine are noisy: medians are reported, and rustc's CPU time beside its wall
# time (other processes stretch wall time much more than CPU time).
set -euo pipefail

# shellcheck source=bench-paths.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-paths.sh"
CHECK_REPS="${CHECK_REPS:-3}"
REPORT="${1:-$BENCH/compile-levers.md}"
WS="$BENCH/levers"
RESULTS="$WS/results.tsv"
LOG="$WS/log.txt"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

if [ -z "${LEVER_N:-}" ]; then
  # No output yet is not an error here: the check below says what to run first.
  LEVER_N="$(find "$BENCH/gen" -maxdepth 1 -name 'ours-*' -type d 2>/dev/null | sed 's/.*ours-//' | sort -n | tail -1 || true)"
fi
OURS_RS="$BENCH/gen/ours-${LEVER_N:-none}/github.rs"
PEER_RS="$BENCH/gen/peer-${LEVER_N:-none}.rs"
if [ ! -f "$OURS_RS" ] || [ ! -f "$PEER_RS" ] || [ ! -x "$TYPIFY" ]; then
  die "run composio-codegen/benches/compile-cost.sh first (no generated modules under $BENCH/gen)"
fi
read -r -a variants <<<"${VARIANTS:-$(python3 "$HELPER" variants | cut -f1 | tr '\n' ' ')}"

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$WS"
: >"$RESULTS"
: >"$LOG"

say "making the variants of $OURS_RS"
read -r -a peers <<<"${PEERS-peer_builder peer_no_builder}"
crates=(empty "${variants[@]}" "${peers[@]}")
members=()
for v in "${crates[@]}"; do members+=("\"$v\""); done
{
  echo '# Written by composio-codegen/benches/compile-levers.sh: one crate per variant.'
  echo '[workspace]'
  echo "members = [$(IFS=,; echo "${members[*]}")]"
  echo 'resolver = "3"'
} >"$WS/Cargo.toml"
[ -f "$WS/Cargo.lock" ] || cp "$BENCH/check/Cargo.lock" "$WS/Cargo.lock" 2>/dev/null || cp "$ROOT/Cargo.lock" "$WS/Cargo.lock"
for v in "${crates[@]}"; do
  mkdir -p "$WS/$v/src"
  {
    echo '[package]'
    echo "name = \"$v\""
    echo 'version = "0.0.0"'
    echo 'edition = "2024"'
    echo 'publish = false'
    echo '[dependencies]'
    case "$v" in
      peer_*)
        echo 'serde = { version = "1", features = ["derive"] }'
        echo 'serde_json = "1"'
        echo 'chrono = { version = "0.4", features = ["serde"] }'
        echo 'regress = "0.10"'
        ;;
      *) echo "composio-typed = { path = \"$ROOT/composio-typed\" }" ;;
    esac
  } >"$WS/$v/Cargo.toml"
  echo 'pub mod github;' >"$WS/$v/src/lib.rs"
  new="$WS/$v/src/github.rs.new"
  case "$v" in
    empty) echo '//! Empty: the baseline.' >"$new" ;;
    peer_builder) cp "$PEER_RS" "$new" ;;
    peer_no_builder)
      "$TYPIFY" typify --no-builder "$BENCH/inputs/typify-$LEVER_N.json" -o "$new" >>"$LOG" 2>&1 \
        || die "cargo-typify --no-builder failed (see $LOG)"
      ;;
    *) python3 "$HELPER" variant "$v" "$OURS_RS" "$new" ;;
  esac
  if cmp -s "$new" "$WS/$v/src/github.rs"; then rm "$new"; else mv "$new" "$WS/$v/src/github.rs"; fi
  printf 'lines\t%s\t0\t%s\t0\n' "$v" "$(wc -l <"$WS/$v/src/github.rs")" >>"$RESULTS"
  printf 'bytes\t%s\t0\t%s\t0\n' "$v" "$(wc -c <"$WS/$v/src/github.rs")" >>"$RESULTS"
done

WRAPPER="$BENCH/rustc-wrapper"
printf '#!/bin/sh\nexec python3 %q rustc-wrapper "$@"\n' "$HELPER" >"$WRAPPER"
chmod +x "$WRAPPER"
export CARGO_TARGET_DIR="$BENCH/target" RUSTC_WRAPPER="$WRAPPER" CARGO_INCREMENTAL=0 BENCH_RESULTS="$RESULTS"
for v in "${crates[@]}"; do
  say "cargo check, $v: warm-up"
  touch "$WS/$v/src/github.rs"
  cargo check --quiet -p "$v" --manifest-path "$WS/Cargo.toml" >>"$LOG" 2>&1 || die "cargo check of $v failed (see $LOG)"
done
# Round-robin over the variants, so a change in the machine's load spreads over every row.
for rep in $(seq "$CHECK_REPS"); do
  for v in "${crates[@]}"; do
    say "cargo check, $v (run $rep of $CHECK_REPS)"
    touch "$WS/$v/src/github.rs"
    BENCH_MEASURE_CRATE="$v" BENCH_TAG="$(printf '%s\t0' "$v")" \
      python3 "$HELPER" run "$RESULTS" check "$v" 0 "$LOG" -- cargo check --quiet -p "$v" --manifest-path "$WS/Cargo.toml" \
      || die "cargo check of $v failed (see $LOG)"
  done
done
unset CARGO_TARGET_DIR RUSTC_WRAPPER CARGO_INCREMENTAL

header="$WS/header.md"
cat >"$header" <<EOF
# Where the check time of the generated code goes (N = $LEVER_N GitHub tools)

- command: \`composio-codegen/benches/compile-levers.sh\` (CHECK_REPS=$CHECK_REPS), after compile-cost.sh
- date: $(date -u +%Y-%m-%dT%H:%MZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); $(rustc --version)
- each row: \`touch\` + \`cargo check -p CRATE\` of a crate holding only that module, dependencies
  pre-built, CARGO_INCREMENTAL=0; median of $CHECK_REPS, round-robin over the variants; CPU time, wall time
  and peak RSS of that crate's rustc alone
- load average (1, 5, 15 min) at the start: $LOAD_BEFORE; at the end: $(cut -d' ' -f1-3 /proc/loadavg)
EOF
python3 "$HELPER" levers-report "$RESULTS" "$REPORT" "$header"
say "report written to $REPORT"
