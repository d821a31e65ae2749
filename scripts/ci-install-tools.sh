#!/usr/bin/env bash
# Installs the system tools the end-to-end checks need and a fresh machine lacks:
# Debian's Chromium for the Swagger UI browser test (scripts/e2e.d/30-docs-browser.mjs).
# Idempotent: does nothing when the tools are already there. Called by CI before the e2e run.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "ci-install-tools: chromium present ($(chromium --version 2>/dev/null || echo unknown version))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ci-install-tools: chromium missing and not root (no sudo)" >&2; exit 1; }
  SUDO="sudo"
fi
echo "ci-install-tools: installing chromium from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
echo "ci-install-tools: $(chromium --version)"
