#!/usr/bin/env bash
# Local PostgreSQL 15 test cluster (primary :55432, streaming replicas :55433/:55434) in <repo>/.cluster: up|down|reset|status|psql.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() {
    cat <<EOF
usage: $(basename "$0") COMMAND
  up                  install what is missing, create the cluster if needed, start every node, wait for replication
  down                stop every node (fast mode)
  reset               down, then delete $BH_CLUSTER_LINK
  status              each node: port, up/down, primary or in recovery, replication lag
  stop NODE           stop one node (fast mode), e.g. to test how the proxy copes with a replica going away
  start NODE          start one stopped node again
  psql [NODE] [ARGS]  psql as postgres on NODE (primary|replica1|replica2, default primary; database docs unless -d)
EOF
}

PACKAGES=(postgresql-15 postgresql-client-15 pgbouncer libpq-dev libpg-query-dev)

# Settings common to all nodes. Node-specific ones (port, cluster_name) are in node.conf.
write_common_conf() {
    cat >"$1/bulkhead.conf" <<'EOF'
# Bulkhead local test cluster settings (written by deploy/local/cluster.sh).
listen_addresses = '127.0.0.1'
max_connections = 1200              # benchmarks open up to 1000 direct clients
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
hot_standby_feedback = on
# TEST CLUSTER ONLY: durability is off for speed. A crash can corrupt this cluster;
# never use these three settings for data you care about.
fsync = off
synchronous_commit = off
full_page_writes = off
password_encryption = 'scram-sha-256'
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

write_node_conf() { # DATADIR NODE
    local sockdir; sockdir="$(bh_cluster_dir)"
    cat >"$1/node.conf" <<EOF
# Per-node settings (written by deploy/local/cluster.sh).
port = ${BH_NODE_PORT[$2]}
cluster_name = '$2'
unix_socket_directories = '$sockdir'
EOF
}

write_hba() {
    cat >"$1/pg_hba.conf" <<'EOF'
# Bulkhead local test cluster (written by deploy/local/cluster.sh). First match wins.
# TYPE  DATABASE     USER      ADDRESS        METHOD
local   all          all                      trust
host    all          bh_trust  127.0.0.1/32   trust
host    all          bh_md5    127.0.0.1/32   md5
host    all          bh_clear  127.0.0.1/32   password
host    all          bh_scram  127.0.0.1/32   scram-sha-256
host    all          all       127.0.0.1/32   scram-sha-256
host    replication  all       127.0.0.1/32   trust
EOF
}

node_dir() { printf '%s/%s\n' "$CDIR" "$1"; }

node_running() { # NODE
    local d; d="$(node_dir "$1")"
    [ -f "$d/PG_VERSION" ] || return 1
    bh_as_pg "$BINDIR/pg_ctl" status -D "$d" >/dev/null 2>&1
}

start_node() { # NODE
    local n="$1" d port
    d="$(node_dir "$n")"; port="${BH_NODE_PORT[$n]}"
    if node_running "$n"; then return 0; fi
    if bh_port_open "$BH_HOST" "$port"; then
        bh_die "port $port is already in use by another process; cannot start $n"
    fi
    if ! bh_as_pg "$BINDIR/pg_ctl" start -D "$d" -l "$CDIR/$n.log" -w -t 60 -s >>"$SETUP_LOG" 2>&1; then
        echo "error: $n did not start; last lines of $CDIR/$n.log:" >&2
        tail -n 20 "$CDIR/$n.log" >&2 || true
        exit 1
    fi
}

stop_node() { # NODE
    local n="$1"
    node_running "$n" || return 0
    bh_as_pg "$BINDIR/pg_ctl" stop -D "$(node_dir "$n")" -m fast -w -t 60 -s >/dev/null \
        || bh_die "could not stop $n (see $CDIR/$n.log)"
}

init_primary() {
    local d; d="$(node_dir primary)"
    [ -f "$d/PG_VERSION" ] && return 0
    rm -rf "$d"
    bh_run_logged "$SETUP_LOG" bh_as_pg "$BINDIR/initdb" -D "$d" -U "$BH_SUPERUSER" --auth=trust \
        -E UTF8 --no-locale --no-sync --no-instructions
    write_common_conf "$d"
    write_node_conf "$d" primary
    write_hba "$d"
    printf "\ninclude 'bulkhead.conf'\ninclude 'node.conf'\n" >>"$d/postgresql.conf"
    chown "$BH_PG_USER": "$d"/*.conf
}

# Roles and databases; idempotent. The demo data is loaded only into a freshly created `docs`.
setup_primary() {
    local port="${BH_NODE_PORT[primary]}"
    [ -f "$CDIR/primary.setup-done" ] && return 0
    bh_run_logged "$SETUP_LOG" bh_psql_node "$port" -d postgres <<'EOF'
SET password_encryption = 'scram-sha-256';
ALTER ROLE postgres PASSWORD 'postgres';
DO $$
DECLARE r text;
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bh_trust') THEN CREATE ROLE bh_trust LOGIN; END IF;
  FOREACH r IN ARRAY ARRAY['bh_md5', 'bh_clear', 'bh_scram',
                           'tenant_acme', 'tenant_globex', 'tenant_initech', 'tenant_umbrella'] LOOP
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I', r); END IF;
  END LOOP;
END $$;
ALTER ROLE bh_clear LOGIN PASSWORD 'clearpass';     -- hba method `password` (cleartext on the wire)
ALTER ROLE bh_scram LOGIN PASSWORD 'scrampass';     -- hba method scram-sha-256
SET password_encryption = 'md5';
ALTER ROLE bh_md5 LOGIN PASSWORD 'md5pass';         -- stored as md5 so hba `md5` really does md5
RESET password_encryption;
ALTER ROLE tenant_acme NOLOGIN;
ALTER ROLE tenant_globex NOLOGIN;
ALTER ROLE tenant_initech NOLOGIN;
ALTER ROLE tenant_umbrella NOLOGIN;
EOF
    if [ "$(bh_psql_node "$port" -d postgres -tAc "SELECT count(*) FROM pg_database WHERE datname = 'bench'")" = 0 ]; then
        bh_run_logged "$SETUP_LOG" bh_psql_node "$port" -d postgres -c 'CREATE DATABASE bench'
    fi
    if [ "$(bh_psql_node "$port" -d postgres -tAc "SELECT count(*) FROM pg_database WHERE datname = 'docs'")" = 0 ]; then
        bh_run_logged "$SETUP_LOG" bh_psql_node "$port" -d postgres -c 'CREATE DATABASE docs'
        if ! bh_run_logged "$SETUP_LOG" bh_psql_node "$port" -d docs -1 -f "$BH_LIB_DIR/demo.sql"; then
            bh_psql_node "$port" -d postgres -c 'DROP DATABASE docs' >/dev/null 2>&1 || true
            bh_die "loading demo.sql into docs failed"
        fi
    fi
    touch "$CDIR/primary.setup-done"
}

init_replica() { # NODE
    local n="$1" d slot
    d="$(node_dir "$n")"; slot="$n"
    [ -f "$d/PG_VERSION" ] && return 0
    rm -rf "$d"
    # A slot left by an interrupted earlier attempt would make -C fail.
    bh_psql_node "${BH_NODE_PORT[primary]}" -d postgres -tAc \
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '$slot' AND NOT active" >/dev/null
    bh_run_logged "$SETUP_LOG" bh_as_pg "$BINDIR/pg_basebackup" -h "$BH_HOST" -p "${BH_NODE_PORT[primary]}" \
        -U "$BH_SUPERUSER" -D "$d" -R -X stream -C -S "$slot" -c fast --no-sync
    write_node_conf "$d" "$n"
    chown "$BH_PG_USER": "$d/node.conf"
}

cmd_up() {
    bh_ensure_packages "${PACKAGES[@]}"
    BH_PG_USER="$(bh_pg_user)"
    BINDIR="$(bh_pg_bindir)"
    CDIR="$(bh_cluster_prepare)"
    SETUP_LOG="$CDIR/setup.log"
    : >>"$SETUP_LOG"
    local n port

    init_primary
    start_node primary
    setup_primary
    for n in replica1 replica2; do
        init_replica "$n"
        start_node "$n"
    done

    for n in "${BH_NODES[@]}"; do
        port="${BH_NODE_PORT[$n]}"
        bh_wait_port "$BH_HOST" "$port" 30 || bh_die "$n is not accepting TCP connections on $BH_HOST:$port"
        bh_wait_sql "$port" "SELECT true" 30 || bh_die "$n does not answer queries (see $CDIR/$n.log)"
    done
    for n in replica1 replica2; do
        bh_wait_sql "${BH_NODE_PORT[$n]}" "SELECT pg_is_in_recovery() AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')" 30 \
            || bh_die "$n is not streaming from the primary (see $CDIR/$n.log)"
    done
    for n in "${BH_NODES[@]}"; do
        printf '%-9s up on %s:%s\n' "$n" "$BH_HOST" "${BH_NODE_PORT[$n]}"
    done
}

cmd_down() {
    BINDIR="$(bh_pg_bindir)"
    CDIR="$(bh_cluster_dir)"
    [ -d "$CDIR" ] || { bh_say "no cluster in $BH_CLUSTER_LINK"; return 0; }
    local n
    for n in replica2 replica1 primary; do
        if node_running "$n"; then stop_node "$n"; bh_say "$n stopped"; fi
    done
}

cmd_reset() {
    cmd_down
    local real; real="$(bh_cluster_dir)"
    rm -rf "$real"
    [ -L "$BH_CLUSTER_LINK" ] && rm -f "$BH_CLUSTER_LINK"
    rm -rf "$BH_CLUSTER_LINK"
    bh_say "cluster deleted"
}

cmd_status() {
    BINDIR="$(bh_pg_bindir)"
    CDIR="$(bh_cluster_dir)"
    if [ ! -d "$CDIR" ]; then bh_say "no cluster in $BH_CLUSTER_LINK (run: $0 up)"; return 3; fi
    local n port role lag primary_up=0 all_up=0
    node_running primary && primary_up=1
    printf '%-9s %-6s %-5s %-8s %s\n' NODE PORT STATE ROLE "REPLICATION"
    for n in "${BH_NODES[@]}"; do
        port="${BH_NODE_PORT[$n]}"
        if [ ! -f "$(node_dir "$n")/PG_VERSION" ]; then
            printf '%-9s %-6s %-5s %-8s %s\n' "$n" "$port" absent - -; all_up=1; continue
        fi
        if ! node_running "$n"; then
            printf '%-9s %-6s %-5s %-8s %s\n' "$n" "$port" down - -; all_up=1; continue
        fi
        if [ "$(bh_psql_node "$port" -d postgres -tAc 'SELECT pg_is_in_recovery()' 2>/dev/null || true)" = t ]; then
            role=replica
            lag="$(bh_psql_node "$port" -d postgres -tAc "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'not streaming')" 2>/dev/null || echo '?')"
            if [ "$primary_up" = 1 ]; then
                lag="$lag, $(bh_psql_node "${BH_NODE_PORT[primary]}" -d postgres -tAc "
                    SELECT coalesce((SELECT format('lag %s bytes, replay delay %s',
                                                   pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),
                                                   coalesce(round(extract(epoch FROM replay_lag) * 1000, 1) || ' ms', '0 ms (idle)'))
                                     FROM pg_stat_replication WHERE application_name = '$n'), 'unknown to primary')" 2>/dev/null || echo '?')"
            fi
        else
            role=primary
            lag="$(bh_psql_node "$port" -d postgres -tAc "SELECT count(*) || ' replica(s) streaming' FROM pg_stat_replication WHERE state = 'streaming'" 2>/dev/null || echo '?')"
        fi
        printf '%-9s %-6s %-5s %-8s %s\n' "$n" "$port" up "$role" "$lag"
    done
    return "$all_up"
}

cmd_node() { # stop|start NODE
    case "${2:-}" in primary|replica1|replica2) ;; *) usage >&2; exit 2 ;; esac
    BH_PG_USER="$(bh_pg_user)"
    BINDIR="$(bh_pg_bindir)"
    CDIR="$(bh_cluster_dir)"
    [ -d "$CDIR" ] || bh_die "no cluster (run: $0 up)"
    SETUP_LOG="$CDIR/setup.log"
    if [ "$1" = stop ]; then stop_node "$2"; else start_node "$2"; fi
}

cmd_psql() {
    local n=primary
    case "${1:-}" in primary|replica1|replica2) n="$1"; shift ;; esac
    CDIR="$(bh_cluster_dir)"
    [ -d "$CDIR" ] || bh_die "no cluster (run: $0 up)"
    export PGDATABASE="${PGDATABASE:-docs}"
    exec psql -X -h "$CDIR" -p "${BH_NODE_PORT[$n]}" -U "$BH_SUPERUSER" "$@"
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    reset) cmd_reset ;;
    status) cmd_status ;;
    psql) shift; cmd_psql "$@" ;;
    stop|start) cmd_node "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac
