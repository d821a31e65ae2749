#!/usr/bin/env bash
# End-to-end step: runs the Hoppscotch collection with the Hoppscotch CLI against $BASE_URL
# and fails on any failed test. The committed environment targets the local stack; here a
# copy points at $BASE_URL and carries ADMIN_PSEUDO/ADMIN_PASSWORD when they are set.
# Prints one `ok - ` / `not ok - ` line per request (from the JUnit report) for scripts/e2e.mjs.
# The first run downloads the CLI and Node 24 through npx:
# e2e-timeout-seconds: 600
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BASE_URL="${BASE_URL:?BASE_URL is set by scripts/e2e.mjs}"
DIR="$ROOT/scripts/hoppscotch"
OUT="$ROOT/test-results"
mkdir -p "$OUT"
ENV_FILE="$(mktemp --suffix=.json)"
trap 'rm -f "$ENV_FILE"' EXIT

node -e '
  const [file, out, base] = process.argv.slice(1);
  const env = JSON.parse(require("fs").readFileSync(file, "utf8"));
  const values = { base_url: base, admin_pseudo: process.env.ADMIN_PSEUDO ?? "", admin_password: process.env.ADMIN_PASSWORD ?? "" };
  for (const v of env.variables) if (v.key in values) v.initialValue = v.currentValue = values[v.key];
  require("fs").writeFileSync(out, JSON.stringify(env));
' "$DIR/local.environment.json" "$ENV_FILE" "${BASE_URL%/}"

REPORT="$OUT/hoppscotch-junit.xml"
rm -f "$REPORT"
# The CLI needs Node >= 22: npx brings Node 24 along whatever the machine runs.
status=0
npx -y -p node@24 -p @hoppscotch/cli hopp test "$DIR/canaduck.collection.json" \
  -e "$ENV_FILE" --reporter-junit "$REPORT" || status=$?

# One check per request: a request passes when all its tests pass.
if [ -s "$REPORT" ]; then
  node -e '
    const xml = require("fs").readFileSync(process.argv[1], "utf8");
    const unescape = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, "\"").replace(/&apos;/g, "\x27").replace(/&amp;/g, "&");
    for (const m of xml.matchAll(/<testsuite name="([^"]*)"[^>]*>([\s\S]*?)<\/testsuite>/g)) {
      const name = unescape(m[1]).replace(/^CanaDuck IRC\//, "");
      const failed = [...m[2].matchAll(/<testcase name="([^"]*)"[^>]*>\s*<(failure|error)/g)].map((f) => unescape(f[1]));
      console.log(`${failed.length ? "not ok" : "ok"} - hoppscotch: ${name}`);
      for (const f of failed) console.log(`    # ${f}`);
    }
  ' "$REPORT"
fi
exit "$status"
