#!/usr/bin/env bash
# End-to-end step: the smoke test against the stack the e2e runner started.
set -euo pipefail
exec bash "$(dirname "$0")/../smoke.sh" "${BASE_URL:?BASE_URL is set by scripts/e2e.mjs}"
