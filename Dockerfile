# syntax=docker/dockerfile:1
# One image recipe for every service: SERVICE names the workspace, SERVICE_PORT its port.
# Build context: the repository root (npm workspaces share one lockfile):
#   docker build --build-arg SERVICE=message-service --build-arg SERVICE_PORT=5002 -t canaduck/message-service .
# docker-compose.yml passes both for each service (build.args).
# Stages: `manifests` (toolchain + every workspace manifest), `build` (all deps, tsc),
# `deps` (production deps only), and the runtime image that copies from both. The two installs
# come before `ARG SERVICE`, so they are built once and shared by every service image.
# An ARG is scoped to the stage that declares it, hence `ARG SERVICE` in each stage using it.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
# better-sqlite3 (the embedded database of @canaduck/db) compiles from source when no
# prebuilt binary can be fetched; swagger-ui-dist's telemetry postinstall is turned off.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV SCARF_ANALYTICS=false \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
# npm ci checks the lockfile against every workspace's manifest, so all are copied;
# copying manifests before sources keeps the install layers cached across code changes
# (and shared by every service: nothing here depends on SERVICE).
COPY package.json package-lock.json ./
COPY libraries/auth/package.json libraries/auth/
COPY libraries/config/package.json libraries/config/
COPY libraries/contracts/package.json libraries/contracts/
COPY libraries/db/package.json libraries/db/
COPY libraries/errors/package.json libraries/errors/
COPY libraries/events/package.json libraries/events/
COPY libraries/http-client/package.json libraries/http-client/
COPY libraries/logging/package.json libraries/logging/
COPY libraries/service-kit/package.json libraries/service-kit/
COPY libraries/testing/package.json libraries/testing/
COPY user-service/package.json user-service/
COPY message-service/package.json message-service/
COPY channel-service/package.json channel-service/
COPY gateway-service/package.json gateway-service/
COPY stats-service/package.json stats-service/
COPY irc-service/package.json irc-service/
COPY realtime-service/package.json realtime-service/
COPY system-tests/package.json system-tests/

FROM manifests AS build
# Every workspace's dependencies and the root's build tooling (typescript, @types), installed
# BEFORE `ARG SERVICE`: the layer does not depend on the service, so one install serves every
# image (the legacy builder keys a RUN on the build args declared above it).
# No install scripts: compiling needs no native addon (the deps stage builds those).
RUN npm ci --include-workspace-root --ignore-scripts
ARG SERVICE
# Fail at once, and say why, rather than build the wrong thing.
RUN test -n "$SERVICE" || { echo 'build arg SERVICE is required, e.g. --build-arg SERVICE=user-service' >&2; exit 1; }; \
    test -f "$SERVICE/package.json" || { echo "SERVICE=$SERVICE is not a workspace of this repository" >&2; exit 1; }
COPY tsconfig.base.json ./
COPY libraries/ libraries/
COPY ${SERVICE}/ ${SERVICE}/
# The libraries in dependency order (as in tsconfig.build.json), then the service. Every
# service links service-kit, which links all the others: one list serves every service
# (events after service-kit, which it links).
# `testing` is for tests only and stays out of the image.
RUN npx tsc -b libraries/errors libraries/config libraries/logging libraries/auth libraries/db \
      libraries/http-client libraries/contracts libraries/service-kit libraries/events "$SERVICE" \
 && rm -rf libraries/testing libraries/*/src libraries/*/test libraries/*/dist/.tsbuildinfo \
      "$SERVICE/dist/.tsbuildinfo"

FROM manifests AS deps
# Production dependencies of every workspace, installed BEFORE `ARG SERVICE`: one layer (and one
# compile of the native addons) serves every image. The images carry the few production packages
# of the other services too; in exchange a cold build installs twice, not twice per service.
RUN npm ci --omit=dev
ARG SERVICE
# npm places a dependency whose version clashes with the hoisted one in <service>/node_modules
# (message-service's emoji-regex 10); the folder is created so the runtime COPY always has a source.
RUN test -n "$SERVICE" || { echo 'build arg SERVICE is required, e.g. --build-arg SERVICE=user-service' >&2; exit 1; }; \
    mkdir -p "$SERVICE/node_modules"

FROM ${NODE_IMAGE}
ARG SERVICE
ARG SERVICE_PORT
# DATA_DIR is absolute: the working directory below is the service's folder, not /app.
ENV NODE_ENV=production \
    PORT=${SERVICE_PORT} \
    DATA_DIR=/app/data
WORKDIR /app
# Production dependencies; node_modules/@canaduck/* are links to ./libraries/*.
COPY --from=deps /app/package.json ./
COPY --from=deps /app/node_modules node_modules/
COPY --from=build /app/libraries libraries/
COPY --from=build /app/${SERVICE}/package.json ${SERVICE}/
COPY --from=build /app/${SERVICE}/dist ${SERVICE}/dist/
COPY --from=deps /app/${SERVICE}/node_modules ${SERVICE}/node_modules/
# The code stays root-owned (read-only for the service); only DATA_DIR is writable,
# for the embedded SQLite fallback when DATABASE_URL is not set.
RUN test -n "$SERVICE_PORT" || { echo 'build arg SERVICE_PORT is required, e.g. --build-arg SERVICE_PORT=5001' >&2; exit 1; } \
 && mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE ${SERVICE_PORT}
# No curl in slim images: node itself asks /health (PORT is set above; compose may override it).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec-form CMD expands no variable, but WORKDIR does: from /app/<service>, dist/main.js is
# <service>/dist/main.js, the same entry point as the local launcher (scripts/stack.mjs);
# require() walks up from /app/<service>/dist to /app/<service>/node_modules and /app/node_modules.
# Exec form: node gets SIGTERM itself and shuts down gracefully (compose adds an init process).
WORKDIR /app/${SERVICE}
CMD ["node", "dist/main.js"]
