#!/usr/bin/env bash
# Smoke test of a running CanaDuck IRC, through its single entry point.
#   scripts/smoke.sh [BASE_URL]     default http://localhost (Traefik, docker compose);
#                                   http://localhost:5004 for the local stack (npm start)
# Registers a fresh user, logs in, creates a channel, posts, reacts, reads, asks /fullinfo
# and a stats route, then deletes what it created. Stops at the first failure with a clear
# message and a non-zero exit. Needs curl and node (for JSON; jq is not assumed).
set -euo pipefail

BASE_URL="${1:-${BASE_URL:-http://localhost}}"
BASE_URL="${BASE_URL%/}"
STATS_WAIT_S="${STATS_WAIT_S:-20}"

command -v curl >/dev/null || { echo "smoke: curl is required" >&2; exit 2; }
command -v node >/dev/null || { echo "smoke: node is required (JSON parsing)" >&2; exit 2; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
BODY="$WORK/body.json"
STEP=0
TOKEN=""

# Unique per run: a pseudo starts with a letter (at most 30 characters), channels are [a-z0-9_-].
SUFFIX="$(date +%s)$(node -e 'process.stdout.write(String(Math.floor(Math.random()*1e5)).padStart(5,"0"))')"
PSEUDO="smoke${SUFFIX}"
CHANNEL="smoke-${SUFFIX}"
PASSWORD="$(node -e 'process.stdout.write(require("crypto").randomBytes(12).toString("hex"))')"
TEXT="smoke test ${SUFFIX} 🦆"

# TAP-like lines: the e2e runner (scripts/e2e.mjs) counts `ok - ...` and `not ok - ...`.
fail() {
  echo "not ok - [$STEP] $*"
  if [ -s "$BODY" ]; then echo "    # response body: $(head -c 600 "$BODY")"; fi
  echo "smoke test FAILED at step $STEP against $BASE_URL" >&2
  exit 1
}

ok() { echo "ok - [$STEP] $*"; }

# call METHOD PATH [JSON_BODY]: sets STATUS and leaves the body in $BODY.
call() {
  local method="$1" path="$2" data="${3:-}"
  local args=(-sS -o "$BODY" -w '%{http_code}' -X "$method" --max-time 15 -H 'Accept: application/json')
  [ -n "$TOKEN" ] && args+=(-H "Authorization: Bearer $TOKEN")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  : >"$BODY"
  if ! STATUS="$(curl "${args[@]}" "$BASE_URL$path" 2>"$WORK/curl.err")"; then
    fail "$method $path: cannot reach $BASE_URL ($(tr -d '\n' <"$WORK/curl.err"))"
  fi
}

# expect_status CODE...: the last call answered one of these.
expect_status() {
  local code
  for code in "$@"; do [ "$STATUS" = "$code" ] && return 0; done
  fail "expected HTTP $*, got $STATUS"
}

# js EXPR: evaluates EXPR with `j` = the last JSON body; prints the result.
js() {
  node -e '
    const fs = require("fs");
    let j;
    try { j = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.error("not JSON"); process.exit(3); }
    const v = new Function("j", "return (" + process.argv[2] + ");")(j);
    process.stdout.write(typeof v === "string" ? v : JSON.stringify(v) ?? "undefined");
  ' "$BODY" "$1"
}

# check DESCRIPTION EXPR: EXPR must be true on the last body.
check() {
  local result
  result="$(js "$2" 2>&1)" || fail "$1: the body is not JSON"
  [ "$result" = "true" ] || fail "$1"
}

step() { STEP=$((STEP + 1)); }

echo "CanaDuck IRC smoke test against $BASE_URL (pseudo $PSEUDO, channel #$CHANNEL)"

step
call GET /health
expect_status 200
check "gateway /health says ok" 'j.status === "ok"'
ok "gateway is up"

step
call POST /register "{\"pseudo\":\"$PSEUDO\",\"password\":\"$PASSWORD\",\"email\":\"$PSEUDO@smoke.canaduck.example\"}"
expect_status 201
check "register returns the user" "j.pseudo === '$PSEUDO' && Array.isArray(j.roles) && j.password === undefined"
ok "registered $PSEUDO"

step
call POST /login "{\"pseudo\":\"$PSEUDO\",\"password\":\"$PASSWORD\"}"
expect_status 200
TOKEN="$(js 'j.token')"
[ -n "$TOKEN" ] && [ "$TOKEN" != "undefined" ] || fail "login returned no token"
ok "logged in, got a token"

step
call GET "/whois/$PSEUDO"
expect_status 200
check "whois shows the user" "j.pseudo === '$PSEUDO'"
ok "whois $PSEUDO"

step
call POST /channel "{\"name\":\"#$CHANNEL\",\"topic\":\"smoke test\"}"
expect_status 201
check "the channel is created with the caller as owner" "j.name === '$CHANNEL' && j.owner === '$PSEUDO'"
ok "created #$CHANNEL"

step
call POST /msg "{\"channel\":\"$CHANNEL\",\"text\":\"$TEXT\"}"
expect_status 201
check "the message is posted by the caller" "j.channel === '$CHANNEL' && j.from === '$PSEUDO' && Number.isInteger(j.id)"
MESSAGE_ID="$(js 'j.id')"
MESSAGE_AT="$(js 'j.timestamp')"
ok "posted message $MESSAGE_ID"

step
call POST /msg/reaction "{\"message_id\":$MESSAGE_ID,\"emoji\":\"👍\"}"
expect_status 200 201
ok "reacted 👍 to message $MESSAGE_ID"

step
call GET "/msg?channel=$CHANNEL"
expect_status 200
check "the channel's messages hold the post with its reaction" \
  "Array.isArray(j.messages) && j.messages.some((m) => m.id === $MESSAGE_ID && m.text === $(node -e 'process.stdout.write(JSON.stringify(process.argv[1]))' "$TEXT") && (m.reactions['👍'] || []).includes('$PSEUDO'))"
ok "read the channel: message and reaction are there"

step
call GET "/fullinfo?user=$PSEUDO&channel=$CHANNEL"
expect_status 200
check "fullinfo combines user, channel and last messages" \
  "j.user.pseudo === '$PSEUDO' && j.channel.name === '$CHANNEL' && Array.isArray(j.last_messages) && j.last_messages.some((m) => m.id === $MESSAGE_ID)"
ok "/fullinfo combines the three services"

# stats-service follows message-service's event feed: the new message shows up within seconds.
# On a busy server a one-message user may rank below the top 100: then it is enough that
# stats have applied events up to this message (as_of) and the list is full.
step
deadline=$(($(date +%s) + STATS_WAIT_S))
while :; do
  call GET "/stats/messages-per-user?limit=100"
  expect_status 200
  found="$(js "!Array.isArray(j.users) ? 'no users array'
    : j.users.some((u) => u.pseudo === '$PSEUDO' && u.messages >= 1) ? 'listed'
    : j.users.length === 100 && j.as_of !== null && Date.parse(j.as_of) >= Date.parse('$MESSAGE_AT') ? 'caught up'
    : 'not yet'")"
  case "$found" in
    listed) ok "stats count $PSEUDO's message"; break ;;
    "caught up") ok "stats caught up with message $MESSAGE_ID ($PSEUDO is below the top 100)"; break ;;
    "no users array") fail "stats answer has no users array" ;;
  esac
  [ "$(date +%s)" -ge "$deadline" ] && fail "stats-service did not count $PSEUDO's message within ${STATS_WAIT_S}s"
  sleep 1
done

# Clean up: the channel (its messages go with it) and the account.
step
call DELETE "/channel/$CHANNEL"
expect_status 200
ok "deleted #$CHANNEL"

step
call DELETE "/user/$PSEUDO"
expect_status 200
ok "deleted $PSEUDO"

echo "smoke test passed: $STEP steps against $BASE_URL"
