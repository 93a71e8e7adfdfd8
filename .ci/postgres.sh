# shellcheck shell=bash
#
# Throwaway PostgreSQL cluster for CI.  Meant to be *sourced* (by .ci/run):
#
#     source .ci/postgres.sh
#     trap pg_stop EXIT
#     pg_start            # exports ASYNCFAKES_PG_DSN
#
# pg_start  finds initdb/pg_ctl (PATH first, then the newest Debian
#           /usr/lib/postgresql/*/bin; installs the `postgresql` apt package
#           when neither has them and we are root), creates a temp dir, runs
#           initdb (as the `postgres` user when we are root, else as ourselves),
#           starts the server on 127.0.0.1 only, on a free TCP port, with its
#           unix socket inside the temp dir, waits until it accepts
#           connections and exports
#               ASYNCFAKES_PG_DSN=postgresql://postgres@127.0.0.1:PORT/postgres
#           Calling it again in the same shell while its cluster runs is a
#           no-op.  The cluster's state lives in unexported shell variables, so
#           a child shell (say a nested .ci/run) starts and stops its own.
# pg_stop   stops the server (fast mode) and removes the temp dir.  Idempotent;
#           always returns 0 so that it is safe in an EXIT trap under `set -e`.
#
# Both functions are safe under `set -euo pipefail`.  Everything they print
# goes to stderr.

_pg_log() { printf '[postgres.sh] %s\n' "$*" >&2; }

# Sets _PG_INITDB and _PG_CTL (both must come from the same place).
_pg_find_bins() {
    _PG_INITDB="" _PG_CTL=""
    local initdb ctl dir
    initdb="$(command -v initdb 2>/dev/null || true)"
    ctl="$(command -v pg_ctl 2>/dev/null || true)"
    if [[ -n "$initdb" && -n "$ctl" ]]; then
        _PG_INITDB="$initdb" _PG_CTL="$ctl"
        return 0
    fi
    # Debian/Ubuntu keep the server binaries in a versioned dir, off PATH.
    while IFS= read -r dir; do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            _PG_INITDB="$dir/initdb" _PG_CTL="$dir/pg_ctl"
            return 0
        fi
    done < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -t/ -k5,5 -V -r)
    return 1
}

_pg_install() {
    local sudo=()
    if [[ "$(id -u)" != 0 ]]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        else
            _pg_log "PostgreSQL is not installed and we are not root: install the" \
                "'postgresql' package (or put initdb/pg_ctl on PATH)"
            return 1
        fi
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        _pg_log "PostgreSQL is not installed and apt-get is not available"
        return 1
    fi
    _pg_log "installing PostgreSQL with apt-get"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2 &&
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends postgresql </dev/null >&2
}

# Run a command as the cluster owner (cwd: the cluster dir, stdin: /dev/null).
_pg_as_owner() {
    if [[ -z "${_ASYNCFAKES_PG_USER:-}" ]]; then
        (cd "$_ASYNCFAKES_PG_DIR" && "$@") </dev/null
    elif command -v runuser >/dev/null 2>&1; then
        (cd "$_ASYNCFAKES_PG_DIR" && runuser -u "$_ASYNCFAKES_PG_USER" -- "$@") </dev/null
    else
        local cmd
        printf -v cmd '%q ' "$@"
        (cd "$_ASYNCFAKES_PG_DIR" && su -s /bin/sh "$_ASYNCFAKES_PG_USER" -c "$cmd") </dev/null
    fi
}

# A TCP port that is free on 127.0.0.1 right now (the caller retries on a race).
_pg_free_port() {
    local py port i
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' && return 0
        fi
    done
    for ((i = 0; i < 50; i++)); do
        port=$((20000 + RANDOM % 40000))
        # A refused connection means nobody listens there.
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

pg_start() {
    if [[ -n "${_ASYNCFAKES_PG_DIR:-}" && -d "${_ASYNCFAKES_PG_DIR:-}" ]]; then
        _pg_log "already running: ${ASYNCFAKES_PG_DSN:-?}"
        return 0
    fi
    if ! _pg_find_bins; then
        _pg_install || return 1
        if ! _pg_find_bins; then
            _pg_log "cannot find initdb/pg_ctl even after installing postgresql"
            return 1
        fi
    fi
    _pg_log "using $_PG_CTL"

    _ASYNCFAKES_PG_USER=""
    if [[ "$(id -u)" == 0 ]]; then
        # initdb/postgres refuse to run as root.
        if id -u postgres >/dev/null 2>&1; then
            _ASYNCFAKES_PG_USER=postgres
        else
            _ASYNCFAKES_PG_USER=nobody
        fi
    fi

    # Under root, stay in /tmp: a root-only TMPDIR would not be traversable.
    local base="${TMPDIR:-/tmp}"
    if [[ -n "$_ASYNCFAKES_PG_USER" ]]; then
        base=/tmp
    fi
    _ASYNCFAKES_PG_DIR="$(mktemp -d "$base/asyncfakes-pg.XXXXXX")" || return 1
    chmod 700 "$_ASYNCFAKES_PG_DIR"
    if [[ -n "$_ASYNCFAKES_PG_USER" ]]; then
        chown "$_ASYNCFAKES_PG_USER:" "$_ASYNCFAKES_PG_DIR" || { pg_stop; return 1; }
    fi
    local dir="$_ASYNCFAKES_PG_DIR"

    if ! _pg_as_owner "$_PG_INITDB" -D "$dir/data" -U postgres --auth-local=trust \
        --auth-host=trust -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
        _pg_log "initdb failed:"
        cat "$dir/initdb.log" >&2
        pg_stop
        return 1
    fi
    _pg_as_owner mkdir "$dir/sock" || { pg_stop; return 1; }
    # Appended settings win over the defaults earlier in the file.  Appending
    # (as root or as the owner) keeps the file's owner and mode.
    printf '%s\n' "# --- asyncfakes throwaway cluster ---" \
        "listen_addresses = '127.0.0.1'" \
        "unix_socket_directories = '$dir/sock'" \
        "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
        >>"$dir/data/postgresql.conf" || { pg_stop; return 1; }

    local attempt port
    for attempt in 1 2 3 4 5; do
        port="$(_pg_free_port)" || { _pg_log "no free port"; pg_stop; return 1; }
        if _pg_as_owner "$_PG_CTL" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
            -o "-p $port" start >/dev/null 2>&1; then
            export ASYNCFAKES_PG_DSN="postgresql://postgres@127.0.0.1:$port/postgres"
            _pg_log "started: $ASYNCFAKES_PG_DSN (dir $dir)"
            return 0
        fi
        if grep -qiE 'could not bind|address already in use' "$dir/server.log" 2>/dev/null; then
            _pg_log "port $port was taken, retrying (attempt $attempt)"
            _pg_as_owner "$_PG_CTL" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
            : >"$dir/server.log" 2>/dev/null || true
            continue
        fi
        break
    done
    _pg_log "server failed to start; log:"
    cat "$dir/server.log" >&2 2>/dev/null || true
    pg_stop
    return 1
}

pg_stop() {
    local dir="${_ASYNCFAKES_PG_DIR:-}"
    if [[ -n "$dir" && -d "$dir" ]]; then
        if [[ -f "$dir/data/postmaster.pid" ]]; then
            local ctl="${_PG_CTL:-}"
            [[ -n "$ctl" ]] || { _pg_find_bins && ctl="$_PG_CTL"; } || true
            if [[ -z "$ctl" ]] ||
                ! _pg_as_owner "$ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
                # Last resort: the postmaster's pid is the first line of postmaster.pid.
                local pid
                pid="$(head -n1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
                if [[ "$pid" =~ ^[0-9]+$ ]]; then
                    kill -QUIT "$pid" 2>/dev/null || true
                    sleep 1
                    kill -KILL "$pid" 2>/dev/null || true
                fi
            fi
        fi
        rm -rf -- "$dir"
        _pg_log "stopped and removed $dir"
    fi
    unset _ASYNCFAKES_PG_DIR _ASYNCFAKES_PG_USER ASYNCFAKES_PG_DSN
    return 0
}
