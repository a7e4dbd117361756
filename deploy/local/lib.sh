# Shared shell helpers (paths, PostgreSQL OS user, package installs, waits) for deploy/local, bench and .ci/run; source it, don't run it.
# shellcheck shell=bash disable=SC2034
set -euo pipefail

# ---- paths (derived from this file's location, never from $PWD) ----
BH_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BH_REPO="$(cd "$BH_LIB_DIR/../.." && pwd)"
BH_CLUSTER_LINK="$BH_REPO/.cluster"   # the cluster's files (gitignored); may be a symlink, see bh_cluster_prepare
BH_BENCH_DIR="$BH_REPO/.bench"        # benchmark configs, logs, results (gitignored)
BH_PG_MAJOR=15

# ---- the local cluster's layout: name, port (primary first) ----
BH_NODES=(primary replica1 replica2)
declare -A BH_NODE_PORT=([primary]=55432 [replica1]=55433 [replica2]=55434)
BH_HOST=127.0.0.1
BH_SUPERUSER=postgres
BH_SUPERPASS=postgres

# ---- messages ----
bh_say() { printf '%s\n' "$*"; }
bh_warn() { printf 'warning: %s\n' "$*" >&2; }
bh_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# bh_run_logged LOGFILE CMD... : run CMD with its output appended to LOGFILE; on failure show the tail and fail.
bh_run_logged() {
    local log="$1"; shift
    if ! "$@" >>"$log" 2>&1; then
        printf 'error: command failed: %s\n--- last lines of %s ---\n' "$*" "$log" >&2
        tail -n 25 "$log" >&2 || true
        return 1
    fi
}

# ---- packages ----
# bh_ensure_packages PKG... : apt-get install those Debian packages that are not installed yet (root only).
bh_ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || bh_die "missing packages: ${missing[*]} (run as root or install them)"
    # Installing postgresql-15 must not create and start Debian's default cluster on :5432.
    if printf '%s\n' "${missing[@]}" | grep -q '^postgresql-[0-9]'; then
        mkdir -p /etc/postgresql-common/createcluster.d
        printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.d/bulkhead-no-main.conf
    fi
    bh_say "installing: ${missing[*]}"
    local log; log="$(mktemp /tmp/bulkhead-apt.XXXXXX)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
        # Package lists may be missing or stale on a fresh machine: update once and retry.
        apt-get update -q >>"$log" 2>&1 || true
        if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
            tail -n 20 "$log" >&2
            bh_die "apt-get install ${missing[*]} failed (full log: $log)"
        fi
    fi
    rm -f "$log"
}

# bh_pg_bindir : directory holding initdb/pg_ctl/postgres of PostgreSQL $BH_PG_MAJOR.
bh_pg_bindir() {
    local d
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        if [ -n "$d" ] && [ -x "$d/initdb" ]; then printf '%s\n' "$d"; return 0; fi
    fi
    d="/usr/lib/postgresql/$BH_PG_MAJOR/bin"
    [ -x "$d/initdb" ] || bh_die "PostgreSQL $BH_PG_MAJOR server binaries not found (expected $d/initdb)"
    printf '%s\n' "$d"
}

# ---- the unprivileged OS user that runs postgres and pgbouncer ----
# bh_pg_user : prints the user: the current one when not root; else `postgres` if it exists, else a
# system user `bulkhead` (created on first use). initdb, postgres and pgbouncer refuse to run as root.
bh_pg_user() {
    if [ "$(id -u)" -ne 0 ]; then id -un; return 0; fi
    if id -u postgres >/dev/null 2>&1; then echo postgres; return 0; fi
    if ! id -u bulkhead >/dev/null 2>&1; then
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin bulkhead >/dev/null 2>&1 \
            || id -u bulkhead >/dev/null 2>&1 || bh_die "could not create system user bulkhead"
    fi
    echo bulkhead
}

# bh_as_pg CMD... : run CMD as the unprivileged user (directly when we already are that user).
bh_as_pg() {
    local u; u="${BH_PG_USER:-$(bh_pg_user)}"
    if [ "$(id -un)" = "$u" ]; then "$@"; else runuser -u "$u" -- "$@"; fi
}

# bh_pg_can_reach DIR : true when the unprivileged user can traverse DIR (all its parents must be +x for it).
bh_pg_can_reach() { bh_as_pg test -x "$1" 2>/dev/null; }

# ---- the cluster directory ----
# bh_cluster_dir : the real directory of the cluster's files (resolves the .cluster symlink if any).
bh_cluster_dir() {
    if [ -L "$BH_CLUSTER_LINK" ]; then readlink -f "$BH_CLUSTER_LINK"; else printf '%s\n' "$BH_CLUSTER_LINK"; fi
}

# bh_cluster_prepare : create <repo>/.cluster owned by the pg user. When the pg user cannot reach the
# repo (e.g. a clone under /root) or the path is too long for a unix socket (107 bytes), the files go
# to /var/tmp/bulkhead-cluster-<hash> and .cluster becomes a symlink to it.
bh_cluster_prepare() {
    BH_PG_USER="${BH_PG_USER:-$(bh_pg_user)}"
    local dir
    if [ -L "$BH_CLUSTER_LINK" ]; then
        dir="$(readlink -f "$BH_CLUSTER_LINK")"
        mkdir -p "$dir"
    else
        dir="$BH_CLUSTER_LINK"
        mkdir -p "$dir"
        if ! bh_pg_can_reach "$dir" || [ "${#dir}" -gt 80 ]; then
            if [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
                bh_die "$dir is not reachable by OS user $BH_PG_USER (or too long a path for a socket) and is not empty"
            fi
            rmdir "$dir"
            dir="/var/tmp/bulkhead-cluster-$(printf '%s' "$BH_REPO" | md5sum | cut -c1-12)"
            mkdir -p "$dir"
            ln -s "$dir" "$BH_CLUSTER_LINK"
        fi
    fi
    chown "$BH_PG_USER": "$dir" 2>/dev/null || true
    chmod 700 "$dir"
    bh_pg_can_reach "$dir" || bh_die "OS user $BH_PG_USER cannot access $dir"
    printf '%s\n' "$dir"
}

# ---- waiting ----
# bh_port_open HOST PORT : true when something accepts TCP connections there.
bh_port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# bh_wait_port HOST PORT [TIMEOUT_S] : wait until HOST:PORT accepts TCP connections.
bh_wait_port() {
    local host="$1" port="$2" timeout="${3:-30}" i
    for ((i = 0; i < timeout * 10; i++)); do
        bh_port_open "$host" "$port" && return 0
        sleep 0.1
    done
    return 1
}

# bh_wait_port_closed HOST PORT [TIMEOUT_S] : wait until nothing listens there any more.
bh_wait_port_closed() {
    local host="$1" port="$2" timeout="${3:-30}" i
    for ((i = 0; i < timeout * 10; i++)); do
        bh_port_open "$host" "$port" || return 0
        sleep 0.1
    done
    return 1
}

# bh_wait_sql PORT SQL [TIMEOUT_S] [DB] : wait until SQL (on the local node at PORT, via its socket)
# prints `t`.
bh_wait_sql() {
    local port="$1" sql="$2" timeout="${3:-30}" db="${4:-postgres}" i
    for ((i = 0; i < timeout * 5; i++)); do
        [ "$(bh_psql_node "$port" -d "$db" -tAc "$sql" 2>/dev/null || true)" = t ] && return 0
        sleep 0.2
    done
    return 1
}

# ---- clients ----
# bh_psql_node PORT ARGS... : psql as the superuser over the node's unix socket (trust), quiet, stop on error.
bh_psql_node() {
    local port="$1"; shift
    PGAPPNAME=bulkhead-scripts psql -X -q -v ON_ERROR_STOP=1 -h "$(bh_cluster_dir)" -p "$port" -U "$BH_SUPERUSER" "$@"
}

# bh_primary_url [DB] : a TCP connection string to the primary as the superuser (for .ci/run and tests).
bh_primary_url() {
    printf 'postgresql://%s:%s@%s:%s/%s\n' "$BH_SUPERUSER" "$BH_SUPERPASS" "$BH_HOST" "${BH_NODE_PORT[primary]}" "${1:-postgres}"
}

# bh_cluster_up : bring the local cluster up (idempotent); for .ci/run and bench.
bh_cluster_up() { bash "$BH_LIB_DIR/cluster.sh" up; }

# bh_cluster_down : stop every node of the local cluster (keeps its files).
bh_cluster_down() { bash "$BH_LIB_DIR/cluster.sh" down; }

# The release build of bulkhead. Run-time exclusivity checks are off in every module, NIO's included (the
# compile-time ones stay): on the per-message path they cost about a tenth of the proxy's user CPU. Debug
# builds, and so the tests, keep them.
BH_RELEASE_BUILD=(swift build -c release -Xswiftc -enforce-exclusivity=unchecked)
