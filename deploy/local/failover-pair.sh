#!/usr/bin/env bash
# A throwaway primary and streaming replica on 127.0.0.1:29442/29443 for failover tests: up|promote|stop-primary|down.
# The ports lie below Linux's ephemeral range, so no client socket of a busy test can be holding them.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

DIR="${BH_PAIR_DIR:-/tmp/bulkhead-failover-pair}"
PRIMARY_PORT="${BH_PAIR_PORT:-29442}"
REPLICA_PORT=$((PRIMARY_PORT + 1))

usage() {
    cat <<USAGE
usage: $(basename "$0") COMMAND
  up            create (afresh) and start a primary on :$PRIMARY_PORT and a streaming replica on :$REPLICA_PORT in $DIR
  stop-primary  stop the primary at once (immediate mode), as a crash would
  promote       promote the replica, as Patroni would
  down          stop both and delete $DIR
Trust authentication on 127.0.0.1 only: this pair holds nothing but test rows.
USAGE
}

conf() { # DATADIR PORT
    cat >>"$1/postgresql.conf" <<CONF
port = $2
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
CONF
}

stop_all() {
    local d
    for d in "$DIR/replica" "$DIR/primary"; do
        if [ -f "$d/postmaster.pid" ]; then bh_as_pg "$BINDIR/pg_ctl" stop -D "$d" -m immediate -w -s >/dev/null 2>&1 || true; fi
    done
}

cmd_up() {
    stop_all
    rm -rf "$DIR"
    mkdir -p "$DIR"
    chown "$BH_PG_USER": "$DIR"
    bh_as_pg "$BINDIR/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --no-locale --no-sync --no-instructions \
        >"$DIR/setup.log"
    conf "$DIR/primary" "$PRIMARY_PORT"
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n' \
        >"$DIR/primary/pg_hba.conf"
    bh_as_pg "$BINDIR/pg_ctl" start -D "$DIR/primary" -l "$DIR/primary.log" -w -t 60 -s
    psql -X -q -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -c \
        'CREATE TABLE failover_log (id bigserial PRIMARY KEY, client int NOT NULL, written_at timestamptz DEFAULT now())'
    bh_as_pg "$BINDIR/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/replica" -R -X stream -c fast --no-sync
    sed -i "s/^port = $PRIMARY_PORT\$/port = $REPLICA_PORT/" "$DIR/replica/postgresql.conf"
    bh_as_pg "$BINDIR/pg_ctl" start -D "$DIR/replica" -l "$DIR/replica.log" -w -t 60 -s
    local tries=0
    until [ "$(psql -X -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -tAc \
        "SELECT pg_is_in_recovery() AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')" 2>/dev/null)" = t ]; do
        tries=$((tries + 1))
        [ "$tries" -lt 300 ] || bh_die "the replica is not streaming (see $DIR/replica.log)"
        sleep 0.1
    done
}

BINDIR="$(bh_pg_bindir)"
BH_PG_USER="$(bh_pg_user)"
case "${1:-}" in
    up) cmd_up ;;
    stop-primary) bh_as_pg "$BINDIR/pg_ctl" stop -D "$DIR/primary" -m immediate -w -s ;;
    promote) bh_as_pg "$BINDIR/pg_ctl" promote -D "$DIR/replica" -w -s ;;
    down) stop_all; rm -rf "$DIR" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
esac
