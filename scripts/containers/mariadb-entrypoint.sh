#!/usr/bin/env bash
# Entrypoint of the local MariaDB image: what the official mysql image does on start, reduced to
# what CanaDuck uses. On an empty data folder it initialises the server, sets the root password
# (MYSQL_ROOT_PASSWORD), runs /docker-entrypoint-initdb.d/*.sh (deploy/mysql/init) with the
# server listening on its socket only, then starts the server for real on 0.0.0.0:3306.
set -euo pipefail
DATADIR=/var/lib/mysql
mkdir -p /run/mysqld "$DATADIR"
chown -R mysql:mysql /run/mysqld "$DATADIR"
ARGS=(--user=mysql --datadir="$DATADIR" --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@")

if [[ ! -d "$DATADIR/mysql" ]]; then
  : "${MYSQL_ROOT_PASSWORD:?MYSQL_ROOT_PASSWORD is required on the first start}"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db >/dev/null
  mariadbd "${ARGS[@]}" --skip-networking --socket=/run/mysqld/mysqld.sock &
  pid=$!
  for _ in $(seq 1 60); do
    mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1 && break
    sleep 1
  done
  mariadb --socket=/run/mysqld/mysqld.sock -uroot <<SQL
ALTER USER 'root'@'localhost' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';
CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY '${MYSQL_ROOT_PASSWORD}';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
  export MYSQL_PWD="$MYSQL_ROOT_PASSWORD"
  for f in /docker-entrypoint-initdb.d/*.sh; do
    [[ -e "$f" ]] || continue
    echo "running $f"
    # The official image sources these scripts with a `mysql` client on the socket.
    bash "$f"
  done
  unset MYSQL_PWD
  kill "$pid"
  wait "$pid" || true
fi
exec mariadbd "${ARGS[@]}" --bind-address=0.0.0.0 --port=3306
