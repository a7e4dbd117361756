#!/usr/bin/env bash
# Backpressure check: 1 GB of rows and 1 GB of COPY data read through Bulkhead at about 1 MB/s each, with the proxy's RSS sampled.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../deploy/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/deploy/local/lib.sh"

# Every option is an environment variable:
#   BYTES (1000000000) per reader, RATE (1000000) bytes per second per reader, LIMIT_MB (64) the RSS to stay under,
#   BULKHEAD_BIN (<repo>/.build/release/bulkhead, built if missing), PORT (6435).
BYTES="${BYTES:-1000000000}"
RATE="${RATE:-1000000}"
LIMIT_MB="${LIMIT_MB:-64}"
PORT="${PORT:-6435}"
BULKHEAD_BIN="${BULKHEAD_BIN:-$BH_REPO/.build/release/bulkhead}"
for v in BYTES RATE LIMIT_MB PORT; do
    [[ "${!v}" =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || bh_die "$v must be a positive whole number (got '${!v}')"
done
OUT="$BH_BENCH_DIR/slow-reader"
mkdir -p "$OUT"

if [ ! -x "$BULKHEAD_BIN" ]; then
    bh_say "building bulkhead: ${BH_RELEASE_BUILD[*]}"
    (cd "$BH_REPO" && "${BH_RELEASE_BUILD[@]}" >"$OUT/swift-build.log" 2>&1) || bh_die "the release build failed (see $OUT/swift-build.log)"
fi
bh_port_open "$BH_HOST" 55432 || bh_die "the local cluster is not running (deploy/local/cluster.sh up)"
bh_port_open "$BH_HOST" "$PORT" && bh_die "port $PORT is already in use"

cat >"$OUT/bulkhead.toml" <<TOML
# Written by bench/slow_reader.sh
[proxy]
listen = "$BH_HOST:$PORT"
pool_mode = "transaction"
auth_method = "md5"

[[nodes]]
name = "primary"
host = "$BH_HOST"
port = 55432
role = "primary"

[[databases]]
name = "bench"
server_user = "$BH_SUPERUSER"
server_password = "$BH_SUPERPASS"
pool_size = 4

[[users]]
name = "bench"
password = "bench"
TOML

"$BULKHEAD_BIN" run --config "$OUT/bulkhead.toml" >"$OUT/bulkhead.log" 2>&1 &
PID=$!
SELECT_PID=""
COPY_PID=""
cleanup() { # stop the readers and the proxy; SIGKILL whatever is still there after 10 s
    local p i
    for p in $SELECT_PID $COPY_PID "$PID"; do kill "$p" 2>/dev/null || true; done
    for ((i = 0; i < 100; i++)); do
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    for p in $SELECT_PID $COPY_PID "$PID"; do kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
bh_wait_port "$BH_HOST" "$PORT" 30 || bh_die "bulkhead did not start (see $OUT/bulkhead.log)"

bh_say "reading $BYTES bytes of rows and $BYTES bytes of COPY data at $RATE B/s each through bulkhead (pid $PID)"
common=(--port "$PORT" --user bench --password bench --database bench --bytes "$BYTES" --rate "$RATE" --proxy-pid "$PID")
python3 "$BH_REPO/bench/slow_reader.py" --mode select "${common[@]}" >"$OUT/select.txt" 2>&1 &
SELECT_PID=$!
python3 "$BH_REPO/bench/slow_reader.py" --mode copy "${common[@]}" >"$OUT/copy.txt" 2>&1 &
COPY_PID=$!
status=0
wait "$SELECT_PID" || status=1
wait "$COPY_PID" || status=1
cat "$OUT/select.txt" "$OUT/copy.txt"
peak="$(cat "$OUT/select.txt" "$OUT/copy.txt" | sed -nE 's/.*rss_max_kb=([0-9]+).*/\1/p' | sort -n | tail -n1)"
[ -n "$peak" ] || bh_die "no reader finished"
verdict="under"
[ "$peak" -lt $((LIMIT_MB * 1024)) ] || { verdict="OVER"; status=1; }
printf 'bulkhead peak RSS %.1f MB while both readers ran: %s the %s MB limit\n' "$(awk -v k="$peak" 'BEGIN {print k / 1024}')" "$verdict" "$LIMIT_MB"
exit "$status"
