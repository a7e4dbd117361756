#!/usr/bin/env bash
# Starts the local cluster and Bulkhead on the demo config (config/bulkhead.toml), then prints psql commands to try; `demo.sh stop` stops Bulkhead.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

config="${BULKHEAD_CONFIG:-$BH_REPO/config/bulkhead.toml}"
build="${BUILD:-release}"
pidfile="$BH_REPO/.cluster/bulkhead.pid"
logfile="$BH_REPO/.cluster/bulkhead.log"

stop_proxy() {
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill "$(cat "$pidfile")"
        bh_wait_port_closed 127.0.0.1 6432 || true
    fi
    rm -f "$pidfile"
}

case "${1:-up}" in
    stop) stop_proxy; bh_say "bulkhead stopped"; exit 0 ;;
    up) ;;
    *) bh_die "usage: demo.sh [up|stop]" ;;
esac

bash "$BH_LIB_DIR/cluster.sh" up
bh_say "building bulkhead ($build)..."
if [ "$build" = release ]; then
    (cd "$BH_REPO" && "${BH_RELEASE_BUILD[@]}" --product bulkhead >/dev/null)
else
    (cd "$BH_REPO" && swift build -c "$build" --product bulkhead >/dev/null)
fi
binary="$BH_REPO/.build/$build/bulkhead"
"$binary" check-config "$config"
stop_proxy
nohup "$binary" --config "$config" >"$logfile" 2>&1 &
echo $! >"$pidfile"
bh_wait_port 127.0.0.1 6432 || { tail -n 20 "$logfile" >&2; bh_die "bulkhead did not start"; }

cat <<TXT

Bulkhead is listening on 127.0.0.1:6432 (log: $logfile; stop with deploy/local/demo.sh stop).
Try, as different users of the demo document SaaS:

  # an application user on the unconfined database (session pooling)
  PGPASSWORD=app-secret psql "host=127.0.0.1 port=6432 dbname=docs user=app" -c "SELECT organization_id, count(*) FROM app.documents GROUP BY 1 ORDER BY 1"

  # tenant acme (shared schema): every query is confined to organization_id = 1
  PGPASSWORD=acme-secret psql "host=127.0.0.1 port=6432 dbname=docs_shared user=acme_app" -c "SELECT organization_id, title FROM app.documents WHERE title LIKE '%secret%'"
  PGPASSWORD=acme-secret psql "host=127.0.0.1 port=6432 dbname=docs_shared user=acme_app" -c "SELECT * FROM pg_stats"   # refused
  # tenant initech (schema per tenant): search_path is the proxy's; other schemas are refused
  PGPASSWORD=initech-secret psql "host=127.0.0.1 port=6432 dbname=docs_by_schema user=initech_app" -c "SELECT title FROM documents"
  PGPASSWORD=initech-secret psql "host=127.0.0.1 port=6432 dbname=docs_by_schema user=initech_app" -c "SELECT title FROM tenant_acme.documents"   # refused

  # a wrong password and an unknown user look the same
  PGPASSWORD=nope psql "host=127.0.0.1 port=6432 dbname=docs user=app" -c "SELECT 1"
  PGPASSWORD=nope psql "host=127.0.0.1 port=6432 dbname=docs user=mallory" -c "SELECT 1"

  # pgbench through the proxy (database bench, user bench)
  PGPASSWORD=bench pgbench -h 127.0.0.1 -p 6432 -U bench -i -s 10 bench
  PGPASSWORD=bench pgbench -h 127.0.0.1 -p 6432 -U bench -S -c 20 -T 10 bench
TXT
