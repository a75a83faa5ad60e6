#!/usr/bin/env bash
# Runs AfterShip's official SDKs (npm @aftership/tracking-sdk 17, PyPI
# aftership-tracking-sdk 10) against a freshly started `aftership-sandbox` binary.
# Installs what is missing: npm packages from package-lock.json into e2e/sdk/node_modules
# and the PyPI SDK into e2e/sdk/.venv. Exits non-zero if either SDK script fails.
#
# Usage: e2e/sdk/run.sh            (from any directory; honours CARGO_TARGET_DIR)
#        SANDBOX_BIN=/path/to/aftership-sandbox e2e/sdk/run.sh   (skip the cargo build)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

if [[ -z "${SANDBOX_BIN:-}" ]]; then
  echo "sdk-e2e: building aftership-sandbox"
  cargo build --quiet --manifest-path "$root/Cargo.toml" -p aftership-sandbox --bin aftership-sandbox
  SANDBOX_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/aftership-sandbox"
fi

if [[ ! -d node_modules/@aftership/tracking-sdk ]]; then
  echo "sdk-e2e: npm ci (@aftership/tracking-sdk)"
  npm ci --no-audit --no-fund --loglevel=error
fi
if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import tracking' 2>/dev/null; then
  echo "sdk-e2e: pip install aftership-tracking-sdk==10.* into e2e/sdk/.venv"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check 'aftership-tracking-sdk==10.*'
fi

key="sdk-e2e-$$"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port="$(free_port)"
# The Python script listens here for the sandbox's webhooks and checks their signatures.
export SANDBOX_HOOK_PORT="$(free_port)" SANDBOX_HOOK_SECRET="whsec-$$"
export SANDBOX_URL="http://127.0.0.1:$port" SANDBOX_KEY="$key"
# Loopback only: never through a proxy the environment may name.
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
log="$(mktemp)"
"$SANDBOX_BIN" --addr "127.0.0.1:$port" --api-key "$key" --rate-limit 1000 \
  --webhook-url "http://127.0.0.1:$SANDBOX_HOOK_PORT/hook" --webhook-secret "$SANDBOX_HOOK_SECRET" \
  --webhook-retry-base-secs 1 >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "sdk-e2e: sandbox exited"; exit 1; }
  sleep 0.1
done

reset() { curl -fsS --noproxy "*" -X POST "$SANDBOX_URL/sandbox/reset" >/dev/null; }
status=0
reset; node sdk.test.mjs || status=1
reset; .venv/bin/python sdk_test.py || status=1
if [[ $status -eq 0 ]]; then echo "sdk-e2e: PASS (node + python)"; else echo "sdk-e2e: FAIL"; fi
exit $status
