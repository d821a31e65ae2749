#!/usr/bin/env bash
# Installs the system tools the end-to-end checks need and a fresh machine lacks:
# Debian's Chromium for the Swagger UI browser test (scripts/e2e.d/30-docs-browser.mjs), irssi and
# tmux for the terminal IRC client test (scripts/e2e.d/50-irc-client.mjs).
# Idempotent: does nothing when the tools are already there. Called by CI before the e2e run.
set -euo pipefail

missing=()
for tool in chromium irssi tmux; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "ci-install-tools: chromium, irssi and tmux present ($(chromium --version 2>/dev/null || echo unknown version))"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "ci-install-tools: ${missing[*]} missing and not root (no sudo)" >&2; exit 1; }
  SUDO="sudo"
fi
echo "ci-install-tools: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "ci-install-tools: installed ${missing[*]}"
