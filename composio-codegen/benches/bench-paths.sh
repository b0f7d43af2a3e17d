# Sourced by compile-cost.sh and compile-levers.sh: the second reads what the first wrote, so
# both must resolve the repository, the target directory and the tool paths the same way.
# Defines HERE, ROOT, TARGET (CARGO_TARGET_DIR or <repo>/target, made absolute), BENCH, HELPER,
# TOOLS and TYPIFY.
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(git -C "$HERE" rev-parse --show-toplevel 2>/dev/null || (cd "$HERE/../.." && pwd))"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
BENCH="$TARGET/bench"
HELPER="$HERE/compile_cost.py"
TOOLS="$TARGET/bench-tools"
TYPIFY="$TOOLS/bin/cargo-typify"
