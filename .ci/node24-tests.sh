#!/usr/bin/env bash
# The libraries' and gateway-service's jest suites on Node 24, the version the images run (CI's
# own Node, the one `npm ci` ran with, stays the project's minimum). Usage:
#   .ci/node24-tests.sh <jest-json-report> [extra jest arguments]
# Node 24 comes from the npm registry (`npx -p node@24`) and runs the same jest over the same
# node_modules. Left out: the test files that open SQLite. better-sqlite3 12 (the last major
# that supports Node 20) is compiled for the Node that ran `npm ci`, and even rebuilt for Node 24
# its objects abort the process when V8 collects them there (`Assertion failed: (env) != nullptr`
# in RemoveEnvironmentCleanupHook, Statement::~Statement; fixed by better-sqlite3 13, which needs
# Node 22 or later). The services on MySQL do not load it.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
REPORT="$1"
shift
PROJECTS=(auth config contracts db errors http-client logging service-kit testing gateway-service)
SQLITE_FILES='libraries/db/test/database.test.ts|libraries/db/test/deadlock-retry.test.ts|libraries/testing/test/testing.test.ts|libraries/service-kit/test/run-service.test.ts|libraries/service-kit/test/metrics.test.ts|libraries/service-kit/test/service-app-database.test.ts'

# jest through node, not a nested npx: npx hands its -c on to an inner one through the environment.
npx -y -p node@24 -c "node --version && node '$ROOT/node_modules/jest/bin/jest.js' --selectProjects ${PROJECTS[*]} \
  --testPathIgnorePatterns '$SQLITE_FILES' --json --outputFile='$REPORT' $*"
