#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for running the test suite against PostgreSQL.
#
#   eval "$(scripts/pg-throwaway.sh start)"   # prints: export DATABASE_URL=... KESHANG_PG_DIR=...
#   .venv/bin/pytest                          # Django creates and drops test_<db> itself
#   scripts/pg-throwaway.sh stop              # stops the cluster in $KESHANG_PG_DIR and deletes it
#
# The cluster lives in a fresh temporary directory (data, unix socket, log), listens on 127.0.0.1 only,
# on the first free port from PG_PORT (default 54329), with trust authentication: for tests only.
# PostgreSQL refuses to run as root, so as root the server runs as an unprivileged system user
# (PG_OS_USER, default kstest, created if missing). The role it creates may CREATE DATABASE.
#
# Settings (environment): PG_BIN (server binaries; default /usr/lib/postgresql/15/bin, else the newest
# installed), PG_PORT, PG_OS_USER, PG_ROLE (default keshang), PG_DB (default keshang).
# Messages go to stderr; stdout carries only the export lines, so `eval "$(... start)"` is safe.

set -euo pipefail

MARKER=.keshang-pg-throwaway

log() { printf 'pg-throwaway: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

find_bin() {
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/initdb" ]] || die "PG_BIN=$PG_BIN has no initdb"
        printf '%s\n' "$PG_BIN"
        return
    fi
    local candidate
    for candidate in /usr/lib/postgresql/15/bin $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV); do
        if [[ -x "$candidate/initdb" ]]; then
            printf '%s\n' "$candidate"
            return
        fi
    done
    die "PostgreSQL server binaries not found (install postgresql-15, or set PG_BIN)"
}

port_in_use() {
    # Anything accepting connections on 127.0.0.1:$1 (including servers bound to 0.0.0.0)?
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Run a command as the cluster's owner, from a directory that owner can read.
as_owner() {
    local owner=$1 dir=$2
    shift 2
    if [[ $(id -u) -eq 0 ]]; then
        (cd "$dir" && runuser -u "$owner" -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

cmd_start() {
    # Globals, not locals: the EXIT trap below needs them after a failure has unwound this function.
    bin=$(find_bin)
    role=${PG_ROLE:-keshang}
    db=${PG_DB:-keshang}
    [[ $role =~ ^[a-z_][a-z0-9_]*$ && $db =~ ^[a-z_][a-z0-9_]*$ ]] || die "PG_ROLE/PG_DB must be plain lower-case identifiers"

    if [[ $(id -u) -eq 0 ]]; then
        owner=${PG_OS_USER:-kstest}
        if ! id -u "$owner" >/dev/null 2>&1; then
            log "creating system user $owner (PostgreSQL does not run as root)"
            useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$owner"
        fi
        # /tmp rather than $TMPDIR: the unprivileged owner must be able to reach the directory.
        dir=$(mktemp -d /tmp/keshang-pg.XXXXXX)
        chown "$owner" "$dir"
    else
        owner=$(id -un)
        dir=$(mktemp -d "${TMPDIR:-/tmp}/keshang-pg.XXXXXX")
    fi
    chmod 700 "$dir"
    touch "$dir/$MARKER"

    # From here on, any failure (set -e, die) removes the half-made cluster on the way out.
    READY=""
    trap '[[ -n $READY ]] || { as_owner "$owner" "$dir" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; log "start failed; removed $dir"; }' EXIT

    port=${PG_PORT:-54329}
    local last=$((port + 50))
    while port_in_use "$port"; do
        port=$((port + 1))
        ((port <= last)) || die "no free port between ${PG_PORT:-54329} and $last"
    done

    log "initdb in $dir/data ($bin)"
    as_owner "$owner" "$dir" "$bin/initdb" -D "$dir/data" --username=postgres --auth=trust \
        --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        false
    }
    mkdir "$dir/socket"
    [[ $(id -u) -ne 0 ]] || chown "$owner" "$dir/socket"

    log "starting PostgreSQL on 127.0.0.1:$port"
    # Durability is pointless for a throwaway cluster; skipping fsync makes the suite faster.
    as_owner "$owner" "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || {
        cat "$dir/postgres.log" >&2
        false
    }

    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "CREATE ROLE $role LOGIN CREATEDB" -c "CREATE DATABASE $db OWNER $role" >&2
    READY=1

    printf 'PG_BIN=%q\nPG_OWNER=%q\nPG_PORT=%q\n' "$bin" "$owner" "$port" >"$dir/$MARKER"
    log "ready: postgres://$role@127.0.0.1:$port/$db (stop with: scripts/pg-throwaway.sh stop $dir)"
    printf 'export DATABASE_URL=%q\n' "postgres://$role@127.0.0.1:$port/$db"
    printf 'export KESHANG_PG_DIR=%q\n' "$dir"
}

cmd_stop() {
    local dir=${1:-${KESHANG_PG_DIR:-}}
    [[ -n $dir ]] || die "usage: $0 stop DIR (or set KESHANG_PG_DIR)"
    if [[ ! -d $dir ]]; then
        log "$dir is already gone"
        return 0
    fi
    [[ -f "$dir/$MARKER" ]] || die "$dir was not made by this script; not touching it"
    local PG_BIN="" PG_OWNER="" PG_PORT=""
    # shellcheck disable=SC1090
    source "$dir/$MARKER"
    if [[ -n $PG_BIN && -f "$dir/data/postmaster.pid" ]]; then
        log "stopping PostgreSQL on 127.0.0.1:$PG_PORT"
        as_owner "$PG_OWNER" "$dir" "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ||
            as_owner "$PG_OWNER" "$dir" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true
    fi
    rm -rf "$dir"
    log "removed $dir"
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop "${2:-}" ;;
*)
    sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
