#!/usr/bin/env bash
# Starts `dma serve` on a free loopback port, asks it for a mixture with the Python package in
# clients/python (docs/examples/dma_client.py; standard library only), shows a malformed request's 400, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
DMA=${DMA:-.build/release/dma}
POLICY=${POLICY:-ratio:0.75}
LOG=$(mktemp)
$DMA serve --policy "$POLICY" --port 0 > "$LOG" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 50); do grep -q "serving" "$LOG" && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$LOG" | head -1)
echo "server: $URL (policy $POLICY)"
python3 - "$URL" <<'PY'
import sys, urllib.request, urllib.error
url = sys.argv[1]
print("GET /v1/health:", urllib.request.urlopen(url + "/v1/health").read().decode())
try:
    urllib.request.urlopen(urllib.request.Request(url + "/v1/propose", data=b'{"version": 1, "domains": [', method="POST"))
except urllib.error.HTTPError as e:
    print(f"a malformed request: HTTP {e.code} {e.read().decode()}")
PY
python3 docs/examples/dma_client.py "$URL" docs/examples/state.json
