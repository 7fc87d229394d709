#!/usr/bin/env bash
# Renders an analysis report in a headless browser (Debian's chromium) and checks it:
#   scripts/check-report.sh REPORT PNG
# - a full-page screenshot to PNG (kept in docs/ by `make report-check`);
# - the DOM after rendering (--dump-dom) must hold every SVG plot of the report's folder, each
#   inline in its <figure id="<file>.svg">, and no element loading an external resource.
# Exit status: 0 when every check passes, 1 otherwise (with the failed check named).
set -euo pipefail

report=${1:?usage: check-report.sh REPORT PNG}
png=${2:?usage: check-report.sh REPORT PNG}
[[ -f "$report" ]] || { echo "check-report: $report not found (write it with dma analyze)"; exit 1; }
browser=$(command -v chromium || command -v chromium-browser || true)
[[ -n "$browser" ]] || { echo "check-report: chromium not found (apt-get install chromium, or make report-check)"; exit 1; }

url="file://$(realpath "$report")"
folder=$(dirname "$report")
# --no-sandbox: chromium refuses to run as root otherwise (CI containers); the page is our own file.
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions)
mkdir -p "$(dirname "$png")"
"$browser" "${flags[@]}" --window-size=1200,7000 --screenshot="$png" "$url" >/dev/null 2>&1
head -c 8 "$png" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a' || { echo "check-report: $png is not a PNG"; exit 1; }

dom=$("$browser" "${flags[@]}" --dump-dom "$url" 2>/dev/null)
fail=0
plots=0
for svg in "$folder"/*.svg; do
  [[ -e "$svg" ]] || continue
  name=$(basename "$svg")
  plots=$((plots + 1))
  grep -q "<figure id=\"$name\"><svg" <<<"$dom" || { echo "check-report: plot $name is missing from the rendered page"; fail=1; }
done
rendered=$(grep -o '<svg' <<<"$dom" | wc -l)
(( rendered == plots )) || { echo "check-report: $rendered inline plots rendered, $plots SVG files in $folder"; fail=1; }
if grep -Eqi '<(script|link|img|iframe)[ >]|src=' <<<"$dom"; then echo "check-report: the page loads an external resource"; fail=1; fi
(( fail == 0 )) && echo "check-report: $report renders with all $plots plots; screenshot $png ($(stat -c %s "$png") bytes)"
exit $fail
