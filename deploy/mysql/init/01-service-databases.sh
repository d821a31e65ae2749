#!/bin/bash
# Runs once, on the first start of the mysql container (empty data volume), from
# /docker-entrypoint-initdb.d. Creates one database and one least-privilege user per
# service; the passwords come from the container's environment (.env via compose).
# Everything runs in a subshell: the entrypoint sources *.sh files that are not executable,
# and neither `set -u` nor `exit` must leak into it then.
(
set -euo pipefail

# "<database> <user> <variable holding the password>"
SERVICES=(
  "canaduck_user user_svc USER_DB_PASSWORD"
  "canaduck_message message_svc MESSAGE_DB_PASSWORD"
  "canaduck_channel channel_svc CHANNEL_DB_PASSWORD"
  "canaduck_stats stats_svc STATS_DB_PASSWORD"
)

sql=""
for entry in "${SERVICES[@]}"; do
  read -r db user var <<<"$entry"
  password="${!var:-}"
  if [ -z "$password" ]; then
    echo "01-service-databases.sh: $var is not set" >&2
    exit 1
  fi
  # The password also sits in the service's DATABASE_URL: keep it URL- and SQL-safe.
  if ! [[ "$password" =~ ^[A-Za-z0-9._~-]{16,}$ ]]; then
    echo "01-service-databases.sh: $var must be at least 16 characters of [A-Za-z0-9._~-] (openssl rand -hex 24)" >&2
    exit 1
  fi
  # Only what knex migrations and the service's queries need, on its own database only
  # (TRIGGER: message-service's outbox and search-index triggers, migrations 002 and 003).
  sql+="CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';
ALTER USER '$user'@'%' IDENTIFIED BY '$password';
GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES, TRIGGER ON \`$db\`.* TO '$user'@'%';
"
done
sql+="FLUSH PRIVILEGES;"

# During initialisation the server listens on its socket only; root's password is set.
MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket -uroot <<<"$sql"
echo "01-service-databases.sh: created ${#SERVICES[@]} databases and their users"
)
