#!/usr/bin/env bash
# Initialises a PostgreSQL cluster from the environment at first start, the way the official
# `postgres` image does, then runs the server in the foreground. On later starts (a restarted
# container) the existing data directory is used as it is.
set -Eeuo pipefail

fail() {
  echo "error: $*" >&2
  exit 1
}

# `docker run image -c x=y` means "postgres -c x=y".
if [ "${1:-}" != "" ] && [ "${1:0:1}" = "-" ]; then
  set -- postgres "$@"
fi

# Anything other than the server (a shell, psql) runs as asked, untouched.
if [ "${1:-}" != "postgres" ]; then
  exec "$@"
fi

: "${PGDATA:?PGDATA must name the data directory}"
POSTGRES_USER="${POSTGRES_USER:-postgres}"
POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
POSTGRES_HOST_AUTH_METHOD="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"

if [ "$(id -u)" = "0" ]; then
  fail "this image runs PostgreSQL as the postgres user; do not override the user with root."
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != "trust" ]; then
    fail "set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust to allow connections without one)."
  fi

  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"

  # The password goes through a file descriptor, never the command line (which `ps` shows).
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments on purpose
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") \
    ${POSTGRES_INITDB_ARGS:-} >/dev/null

  {
    echo
    echo "listen_addresses = '*'"
  } >>"$PGDATA/postgresql.conf"
  {
    echo
    echo "host all all all $POSTGRES_HOST_AUTH_METHOD"
  } >>"$PGDATA/pg_hba.conf"

  # A private server on the Unix socket only, so no client can connect before set-up is done.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" -w start >/dev/null

  psql_setup=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "$POSTGRES_USER" --host /var/run/postgresql)
  if [ "$POSTGRES_DB" != "postgres" ]; then
    # \gexec runs the statement format() builds; %I quotes the name as an identifier.
    echo "SELECT format('CREATE DATABASE %I', :'db') \\gexec" |
      "${psql_setup[@]}" --dbname postgres --set db="$POSTGRES_DB" >/dev/null
  fi

  shopt -s nullglob
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh) echo "running $script"; . "$script" ;;
      *.sql) echo "running $script"; "${psql_setup[@]}" --dbname "$POSTGRES_DB" -f "$script" >/dev/null ;;
      *) echo "ignoring $script (only .sh and .sql run)" ;;
    esac
  done

  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
