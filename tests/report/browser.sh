#!/usr/bin/env bash
# Renders the report of a small real run in headless Chromium and checks that the page shows the
# three figures (learning curves, best-so-far, worker timeline) with content and runs no
# script; then (live_browser.py) that the report of a live run reloads itself in the browser
# and that the final one is static and complete. Skips (77) only where Chromium is not installed,
# and never in CI.
# Usage: browser.sh ASHA_TUNE SOURCE_DIR WORK_DIR
set -euo pipefail
asha_tune=$1; src=$2; work=$3
if ! command -v chromium >/dev/null; then
  if [ "${CI:-}" = "true" ]; then echo "FAIL: chromium missing in CI"; exit 1; fi
  echo "SKIP: chromium is not installed (scripts/install-deps.sh --test installs it)"; exit 77
fi
rm -rf "$work"; mkdir -p "$work"
cd "$src"
"$asha_tune" --config configs/quick.json --max-trials 12 --gpus none --run-dir "$work/run" --quiet >/dev/null
"$asha_tune" report "$work/run" -o "$work/report.html" >/dev/null
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update
       --disable-sync --no-first-run --disable-quic --user-data-dir="$work/profile")
timeout 120 chromium "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "file://$work/report.html" \
  >"$work/dom.html" 2>"$work/chromium.log"
timeout 120 chromium "${flags[@]}" --window-size=900,2400 --screenshot="$work/report.png" \
  "file://$work/report.html" >/dev/null 2>&1
/usr/bin/python3 - "$work" <<'PY'
import os, re, sys
work = sys.argv[1]
dom = open(os.path.join(work, "dom.html")).read()
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok: sys.exit(1)
for cls, item in (("curves-time", "<polyline"), ("best-so-far", "<polyline"), ("timeline", "<rect")):
    m = re.search(r'<svg class="%s".*?</svg>' % cls, dom, re.S)
    check(m is not None, f"the rendered page has the {cls} figure")
    check(m.group(0).count(item) >= 1, f"{cls} has content ({m.group(0).count(item)} {item[1:]} elements)")
# The report is a static page (it must open offline, from a file, years later): no script at
# all, so nothing can fail in the console either.
report = open(os.path.join(work, "report.html")).read()
check("<script" not in report and "<script" not in dom, "the page has no script")
check(os.path.getsize(os.path.join(work, "report.png")) > 10000, "a screenshot was rendered")
print("static report: 0 failed")
PY
/usr/bin/python3 "$src/tests/report/live_browser.py" "$asha_tune" "$src" "$work" "${flags[@]:0:8}"
