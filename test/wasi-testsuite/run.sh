#!/usr/bin/env bash
# Run the WebAssembly wasi-testsuite (wasm32-wasip1 C, Rust, AssemblyScript
# suites) against tswasi and print per-suite pass/fail counts.
#
# Usage:
#   TESTSUITE=/work/wasi-testsuite test/wasi-testsuite/run.sh [SUITE...] 
#     SUITE: any of c rust as (default: all three)
#
# Environment:
#   TESTSUITE   checkout of github.com/WebAssembly/wasi-testsuite, branch
#               prod/testsuite-base (prebuilt .wasm files). Default /work/wasi-testsuite
#   PYTHON      python >= 3.12 with `colorama` installed (the runner needs 3.12).
#               Default: $TESTSUITE/.venv/bin/python if present, else python3.12/python3
#   ADAPTER     runtime adapter (default: tswasi.py next to this script)
#   TSWASI      command that launches tswasi (default: node <repo>/dist/src/cli/tswasi.js)
#   TSWASI_TIMEOUT  per-test timeout in seconds (default 20)
#   ONLY        comma-separated test names to run (others are skipped), e.g.
#               ONLY=fd_readdir,path_link
#   OUT         directory for logs/JSON results (default: a fresh /tmp/tswasi-wts.XXXXXX/out)
#   VERBOSE=1   also print the runner's full console output
#
# Exit status: 0 if every executed test passed, 1 otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTSUITE="${TESTSUITE:-/work/wasi-testsuite}"
ADAPTER="${ADAPTER:-$HERE/tswasi.py}"
# Each run works on a private shadow copy of the suites (symlinked .wasm/.json,
# copied fs-tests.dir), so concurrent runs never share the scratch directory
# the tests create and delete files in.
WORK="$(mktemp -d /tmp/tswasi-wts.XXXXXX)"
OUT="${OUT:-$WORK/out}"
mkdir -p "$OUT"
trap 'rm -rf "$WORK"/suite-*' EXIT

if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x "$TESTSUITE/.venv/bin/python" ]]; then PYTHON="$TESTSUITE/.venv/bin/python"
  elif command -v python3.12 >/dev/null; then PYTHON=python3.12
  else PYTHON=python3; fi
fi
if ! "$PYTHON" -c 'import sys, colorama; assert sys.version_info >= (3, 12)' 2>/dev/null; then
  echo "error: $PYTHON must be python >= 3.12 with colorama installed" >&2
  echo "  e.g. python3.12 -m venv $TESTSUITE/.venv && $TESTSUITE/.venv/bin/pip install colorama" >&2
  exit 2
fi
if [[ ! -d "$TESTSUITE/test-runner" ]]; then
  echo "error: TESTSUITE=$TESTSUITE is not a wasi-testsuite checkout" >&2; exit 2
fi
if [[ -z "${TSWASI:-}" && "$ADAPTER" == "$HERE/tswasi.py" ]]; then
  CLI="$(cd "$HERE/../.." && pwd)/dist/src/cli/tswasi.js"
  [[ -f "$CLI" ]] || { echo "error: $CLI not built (run npm run build)" >&2; exit 2; }
fi

declare -A DIRS=(
  [c]="$TESTSUITE/tests/c/testsuite/wasm32-wasip1"
  [rust]="$TESTSUITE/tests/rust/testsuite/wasm32-wasip1"
  [as]="$TESTSUITE/tests/assemblyscript/testsuite/wasm32-wasip1"
)
SUITES=("$@")
[[ ${#SUITES[@]} -eq 0 ]] && SUITES=(c rust as)
TDIRS=()
for s in "${SUITES[@]}"; do
  [[ -n "${DIRS[$s]:-}" ]] || { echo "unknown suite '$s' (use c, rust, as)" >&2; exit 2; }
  src="${DIRS[$s]}"
  [[ -f "$src/manifest.json" ]] || { echo "error: no suite at $src" >&2; exit 2; }
  dst="$WORK/suite-$s/wasm32-wasip1"
  mkdir -p "$dst"
  ln -s "$src"/*.wasm "$dst"/
  for j in "$src"/*.json; do [[ "$(basename "$j")" == manifest.json ]] || ln -s "$j" "$dst"/; done
  cp "$src/manifest.json" "$dst"/
  [[ -d "$src/fs-tests.dir" ]] && cp -a "$src/fs-tests.dir" "$dst"/
  TDIRS+=("$dst")
done

EXTRA=()
if [[ -n "${ONLY:-}" ]]; then
  # Build an expectations file that skips every test not listed in ONLY.
  "$PYTHON" - "$OUT/only.toml" "$ONLY" "${TDIRS[@]}" <<'PY'
import json, sys, pathlib
out, only, dirs = sys.argv[1], set(sys.argv[2].split(",")), sys.argv[3:]
lines = ["version = 1"]
for d in map(pathlib.Path, dirs):
    name = json.loads((d / "manifest.json").read_text())["name"]
    lines += ["", "[[suite]]", f"name = {json.dumps(name)}"]
    for w in sorted(d.glob("*.wasm")):
        if w.stem not in only:
            lines += ["[[suite.test]]", f"name = {json.dumps(w.stem)}", 'action = "skip"']
pathlib.Path(out).write_text("\n".join(lines) + "\n")
PY
  EXTRA=(-e "$OUT/only.toml")
fi

LOG="$OUT/console.txt"
JSON="$OUT/results.json"
rm -f "$JSON"
set +e
( cd "$TESTSUITE" && "$PYTHON" test-runner/wasi_test_runner.py \
    -r "$ADAPTER" --disable-colors --json-output-location "$JSON" \
    -t "${TDIRS[@]}" "${EXTRA[@]}" ) >"$LOG" 2>&1
RC=$?
set -e
[[ "${VERBOSE:-0}" == 1 ]] && cat "$LOG"
if [[ ! -f "$JSON" ]]; then
  echo "test runner failed (rc=$RC); log: $LOG" >&2; tail -30 "$LOG" >&2; exit 2
fi

"$PYTHON" - "$JSON" <<'PY'
import json, re, sys

def brief(text):
    """One line: exit status + the guest's own failure message if recognisable."""
    parts = []
    m = re.search(r"expected (-?\d+), got (-?\d+)", text)
    if m:
        parts.append(f"exit {m.group(2)} (want {m.group(1)})")
    m = re.search(r"panicked at ([^\n]+):\n([^\n]+)", text)          # Rust
    if m:
        parts.append(f"{m.group(2).strip()} @ {m.group(1).split('/')[-1]}")
    m = re.search(r"(Assertion failed[^\n]*)", text)                   # C (wasi-libc)
    if m:
        parts.append(m.group(1).strip())
    if len(parts) < 2:
        parts.append(text.strip().replace("\n", " ")[:300])
    return " | ".join(parts)

d = json.load(open(sys.argv[1]))
tp = tf = 0
for s in d["results"]:
    tp += s["passed"]; tf += s["failed"]
    print(f"{s['name']}: {s['passed']} passed, {s['failed']} failed, {s['skipped']} skipped"
          f" ({s['runtime']['name']} {s['runtime']['version']})")
    for t in s["tests"]:
        if t["outcome"] in ("fail", "xpass"):
            texts = [f if isinstance(f, str) else f.get("message", str(f)) for f in t["failures"]]
            print(f"    FAIL {t['name']}: " + " || ".join(brief(x) for x in texts))
print(f"TOTAL: {tp} passed, {tf} failed")
PY
echo "(full log: $LOG, JSON: $JSON)"
exit $RC
