#!/usr/bin/env bash
# Benchmark Bulkhead against PgBouncer and direct PostgreSQL with pgbench on the local cluster's primary, plus RSS per idle client.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=../deploy/local/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/deploy/local/lib.sh"

usage() {
    cat <<EOF
usage: $(basename "$0") [options]      (every option can also be given as the environment variable shown)
  --bulkhead-bin PATH   BULKHEAD_BIN   bulkhead binary (default <repo>/.build/release/bulkhead, built with
                                       deploy/local/lib.sh's BH_RELEASE_BUILD if missing); 'none' skips Bulkhead
  --bulkhead-args ARGS  BULKHEAD_ARGS  arguments for bulkhead (default: --config <repo>/.bench/bulkhead.toml)
  --clients N           CLIENTS        pgbench clients (50)
  --duration S          DURATION       seconds per pgbench run (20)
  --rounds N            ROUNDS         rounds of direct / bulkhead / pgbouncer (3)
  --pool-mode MODE      POOL_MODE      session | transaction (session)
  --pool-size N         POOL_SIZE      server connections per proxy (20)
  --pgbench-args ARGS   PGBENCH_ARGS   extra pgbench arguments ("-S")
  --idle-clients N      IDLE_CLIENTS   idle connections per proxy for the memory test, 0 skips it (10000)
  --workers N           WORKERS        Bulkhead's event-loop threads (0 = one per core, the default)
  --workload NAME       WORKLOAD       pgbench: pgbench's own tables in database bench (default);
                                       documents: the demo documents SaaS in database docs (bench/workloads)
  --isolation MODE      ISOLATION      none | schema | shared. pgbench workload: with schema, Bulkhead's bench
                                       user is a tenant confined to schema tenant_bench (same pgbench tables).
                                       documents workload: Bulkhead's bench user is tenant acme (schema
                                       tenant_acme, or organization_id 1 in the shared tables) and sends SQL
                                       without tenant filters; PgBouncer and direct send the SQL an application
                                       writes without Bulkhead (filters or schema-qualified names). Every
                                       statement of the tenant goes through the SQL gate (none)
  --routing             ROUTING=1      also run a second Bulkhead ("routed") that knows the two replicas and
                                       splits reads from writes, side by side with the plain one; the report
                                       adds the proxy CPU routing costs per statement
  --prepared            PREPARED=1     also run Bulkhead ("prepared") and PgBouncer ("pgb-prep") with pgbench
                                       -M prepared added, and report Bulkhead's -M prepared TPS over its own
                                       TPS with the plain arguments (issue 3's target: 1.15)
  --keep-cluster        KEEP_CLUSTER=1 leave the cluster running even if this script started it
Results: printed, and saved in <repo>/.bench/results.txt; pgbench output in <repo>/.bench/logs/.
EOF
}

BULKHEAD_BIN="${BULKHEAD_BIN:-$BH_REPO/.build/release/bulkhead}"
BULKHEAD_ARGS="${BULKHEAD_ARGS:-}"
CLIENTS="${CLIENTS:-50}"
DURATION="${DURATION:-20}"
ROUNDS="${ROUNDS:-3}"
POOL_MODE="${POOL_MODE:-session}"
POOL_SIZE="${POOL_SIZE:-20}"
PGBENCH_ARGS="${PGBENCH_ARGS--S}"
IDLE_CLIENTS="${IDLE_CLIENTS:-10000}"
ISOLATION="${ISOLATION:-none}"
WORKLOAD="${WORKLOAD:-pgbench}"
WORKERS="${WORKERS:-0}"
KEEP_CLUSTER="${KEEP_CLUSTER:-0}"
ROUTING="${ROUTING:-0}"
PREPARED="${PREPARED:-0}"

while [ $# -gt 0 ]; do
    case "$1" in
        --bulkhead-bin) BULKHEAD_BIN="$2"; shift 2 ;;
        --bulkhead-args) BULKHEAD_ARGS="$2"; shift 2 ;;
        --clients) CLIENTS="$2"; shift 2 ;;
        --duration) DURATION="$2"; shift 2 ;;
        --rounds) ROUNDS="$2"; shift 2 ;;
        --pool-mode) POOL_MODE="$2"; shift 2 ;;
        --pool-size) POOL_SIZE="$2"; shift 2 ;;
        --pgbench-args) PGBENCH_ARGS="$2"; shift 2 ;;
        --idle-clients) IDLE_CLIENTS="$2"; shift 2 ;;
        --isolation) ISOLATION="$2"; shift 2 ;;
        --routing) ROUTING=1; shift ;;
        --prepared) PREPARED=1; shift ;;
        --workload) WORKLOAD="$2"; shift 2 ;;
        --workers) WORKERS="$2"; shift 2 ;;
        --keep-cluster) KEEP_CLUSTER=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; bh_die "unknown option: $1" ;;
    esac
done

for v in CLIENTS DURATION ROUNDS POOL_SIZE IDLE_CLIENTS WORKERS; do
    [[ "${!v}" =~ ^[0-9]+$ ]] || bh_die "$v must be a whole number (got '${!v}')"
done
if [ "$CLIENTS" -lt 1 ] || [ "$DURATION" -lt 1 ] || [ "$ROUNDS" -lt 1 ] || [ "$POOL_SIZE" -lt 1 ]; then
    bh_die "CLIENTS, DURATION, ROUNDS and POOL_SIZE must be at least 1"
fi
case "$POOL_MODE" in session|transaction) ;; *) bh_die "POOL_MODE must be session or transaction" ;; esac
case "$ISOLATION" in none|schema|shared) ;; *) bh_die "ISOLATION must be none, schema or shared" ;; esac
case "$WORKLOAD" in pgbench|documents) ;; *) bh_die "WORKLOAD must be pgbench or documents" ;; esac
[ "$WORKLOAD" = pgbench ] && [ "$ISOLATION" = shared ] && bh_die "ISOLATION=shared needs WORKLOAD=documents (pgbench's tables have no tenant column)"
# pgbench's select-only default belongs to its own tables: the documents workload runs its scripts alone.
[ "$WORKLOAD" = documents ] && [ "$PGBENCH_ARGS" = "-S" ] && PGBENCH_ARGS=""
# The database every client names, and the pgbench script of each mode (none: pgbench's built-in one).
BENCH_DB=bench
WORKLOAD_TENANT=""
WORKLOAD_APP=""
if [ "$WORKLOAD" = documents ]; then
    BENCH_DB=docs
    case "$ISOLATION" in
        shared) WORKLOAD_TENANT="$BH_REPO/bench/workloads/documents-confined-shared.sql"; WORKLOAD_APP="$BH_REPO/bench/workloads/documents-filtered-shared.sql" ;;
        schema) WORKLOAD_TENANT="$BH_REPO/bench/workloads/documents-confined-schema.sql"; WORKLOAD_APP="$BH_REPO/bench/workloads/documents-qualified-schema.sql" ;;
        none) WORKLOAD_TENANT="$BH_REPO/bench/workloads/documents-filtered-shared.sql"; WORKLOAD_APP="$WORKLOAD_TENANT" ;;
    esac
fi
[ "$CLIENTS" -le 1000 ] || bh_die "CLIENTS must be at most 1000 (the cluster's max_connections is 1200)"

PRIMARY_PORT="${BH_NODE_PORT[primary]}"
BULKHEAD_PORT=6433
PGBOUNCER_PORT=6434
ROUTED_PORT=6435
BENCH_USER=bench
BENCH_PASS=bench
SCALE=10
OUT="$BH_BENCH_DIR"
LOGS="$OUT/logs"
RESULTS_TSV="$OUT/results.tsv"
CLK_TCK="$(getconf CLK_TCK)"

command -v pgbench >/dev/null || bh_die "pgbench not found (run deploy/local/cluster.sh up first)"
command -v python3 >/dev/null || bh_die "python3 not found"
mkdir -p "$OUT" "$LOGS"
rm -f "$LOGS"/* "$RESULTS_TSV"

# ---- cleanup: stop exactly what this script started ----
BULKHEAD_PID=""
ROUTED_PID=""
PGBOUNCER_PID=""
IDLE_PID=""
STARTED_CLUSTER=0

stop_pid() { # PID NAME
    local pid="$1" i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then bh_warn "$2 (pid $pid) ignored SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$IDLE_PID" idle-clients
    stop_pid "$BULKHEAD_PID" bulkhead
    stop_pid "$ROUTED_PID" routed
    stop_pid "$PGBOUNCER_PID" pgbouncer
    if [ "$STARTED_CLUSTER" = 1 ] && [ "$KEEP_CLUSTER" != 1 ]; then
        bash "$BH_LIB_DIR/cluster.sh" down >/dev/null 2>&1 || bh_warn "could not stop the cluster"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- helpers ----
cpu_ticks() { # PID -> utime+stime in clock ticks (all threads)
    local stat rest
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
    rest="${stat##*) }"            # fields from 3 on (the command name may contain spaces)
    # shellcheck disable=SC2086
    set -- $rest
    echo $(( ${12} + ${13} ))      # fields 14 and 15
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

fmt() { if [ -z "$1" ]; then echo -; else awk -v v="$1" -v d="$2" 'BEGIN {printf "%.*f", d, v}'; fi; } # NUMBER DECIMALS

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

mode_target() { # MODE -> "port user password"
    case "$1" in
        direct) echo "$PRIMARY_PORT $BH_SUPERUSER $BH_SUPERPASS" ;;
        bulkhead | prepared) echo "$BULKHEAD_PORT $BENCH_USER $BENCH_PASS" ;;
        routed) echo "$ROUTED_PORT $BENCH_USER $BENCH_PASS" ;;
        pgbouncer | pgb-prep) echo "$PGBOUNCER_PORT $BENCH_USER $BENCH_PASS" ;;
    esac
}

mode_pid() { case "$1" in bulkhead | prepared) echo "$BULKHEAD_PID" ;; routed) echo "$ROUTED_PID" ;; pgbouncer | pgb-prep) echo "$PGBOUNCER_PID" ;; *) echo "" ;; esac; }

# The modes that run pgbench with -M prepared on another mode's proxy.
mode_extra() { case "$1" in prepared | pgb-prep) echo "-M prepared" ;; *) echo "" ;; esac; }

mode_script() { # MODE -> pgbench arguments that pick the workload's script, if any
    [ "$WORKLOAD" = documents ] || return 0
    case "$1" in bulkhead | routed | prepared) echo "-f $WORKLOAD_TENANT" ;; *) echo "-f $WORKLOAD_APP" ;; esac
}

proxy_answers() { # MODE
    local port user pass
    read -r port user pass <<<"$(mode_target "$1")"
    PGPASSWORD="$pass" PGCONNECT_TIMEOUT=5 psql -X -w -h "$BH_HOST" -p "$port" -U "$user" -d "$BENCH_DB" -tAc 'SELECT 1' 2>/dev/null | grep -qx 1
}

wait_proxy() { # MODE PID LOG
    local i
    for ((i = 0; i < 150; i++)); do
        kill -0 "$2" 2>/dev/null || { bh_warn "$1 exited at start; last lines of $3:"; tail -n 15 "$3" >&2; return 1; }
        proxy_answers "$1" && return 0
        sleep 0.2
    done
    bh_warn "$1 does not answer SELECT 1 on its port after 30 s; last lines of $3:"; tail -n 15 "$3" >&2
    return 1
}

# start_proxy MODE PIDVAR PORT COMMAND... : runs COMMAND in the background, logging to $LOGS/MODE.log, and adds
# MODE to the runs once it answers; PIDVAR holds its pid from the start, so the cleanup trap always stops it.
start_proxy() {
    local mode="$1" pidvar="$2" port="$3"
    shift 3
    bh_port_open "$BH_HOST" "$port" && bh_die "port $port is already in use"
    "$@" >"$LOGS/$mode.log" 2>&1 &
    printf -v "$pidvar" '%s' "$!"
    if wait_proxy "$mode" "${!pidvar}" "$LOGS/$mode.log"; then
        MODES+=("$mode")
    else
        SKIPPED+=("$mode: FAILED to start (see $LOGS/$mode.log)")
        stop_pid "${!pidvar}" "$mode"
        printf -v "$pidvar" '%s' ""
    fi
}

# ---- the cluster and the pgbench data ----
if ! bh_port_open "$BH_HOST" "$PRIMARY_PORT"; then
    STARTED_CLUSTER=1
    bash "$BH_LIB_DIR/cluster.sh" up >/dev/null || bh_die "could not bring the local cluster up"
fi
export PGPASSWORD="$BH_SUPERPASS"
have_scale="$(psql -X -w -h "$BH_HOST" -p "$PRIMARY_PORT" -U "$BH_SUPERUSER" -d bench -tAc \
    "SELECT count(*) FROM pgbench_branches" 2>/dev/null || echo 0)"
if [ "$have_scale" != "$SCALE" ]; then
    bh_say "initialising pgbench data (scale $SCALE) in database bench"
    bh_run_logged "$LOGS/pgbench-init.log" pgbench -i -s "$SCALE" -q -h "$BH_HOST" -p "$PRIMARY_PORT" -U "$BH_SUPERUSER" bench \
        || bh_die "pgbench -i failed"
fi
if [ "$WORKLOAD" = documents ]; then
    PGPASSWORD="$BH_SUPERPASS" psql -X -w -h "$BH_HOST" -p "$PRIMARY_PORT" -U "$BH_SUPERUSER" -d docs -tAc \
        "SELECT count(*) FROM tenant_acme.documents" >/dev/null 2>&1 || bh_die "database docs has no demo data (deploy/local/demo.sh loads it)"
fi
if [ "$WORKLOAD" = pgbench ] && [ "$ISOLATION" = schema ]; then
    # The same pgbench tables inside a tenant schema, for a tenant whose statements all pass the SQL gate.
    have_tenant_scale="$(psql -X -At -h "$BH_HOST" -p "$PRIMARY_PORT" -U "$BH_SUPERUSER" -d bench \
        -c "SELECT count(*) FROM tenant_bench.pgbench_branches" 2>/dev/null || echo 0)"
    if [ "$have_tenant_scale" != "$SCALE" ]; then
        bh_say "initialising pgbench data (scale $SCALE) in schema tenant_bench"
        psql -X -q -h "$BH_HOST" -p "$PRIMARY_PORT" -U "$BH_SUPERUSER" -d bench -c "CREATE SCHEMA IF NOT EXISTS tenant_bench" >/dev/null
        PGOPTIONS="-c search_path=tenant_bench" bh_run_logged "$LOGS/pgbench-init-tenant.log" \
            pgbench -i -s "$SCALE" -q -h "$BH_HOST" -p "$PRIMARY_PORT" -U "$BH_SUPERUSER" bench || bh_die "pgbench -i (tenant_bench) failed"
    fi
fi
unset PGPASSWORD

# ---- file descriptors for 10k+ clients ----
hard="$(ulimit -Hn)"
[ "$hard" = unlimited ] && hard=1048576
[ "$hard" -gt 1048576 ] && hard=1048576
ulimit -n "$hard" 2>/dev/null || true
if [ "$IDLE_CLIENTS" -gt $(( $(ulimit -n) - 200 )) ]; then
    bh_warn "open-file limit $(ulimit -n) is too low for IDLE_CLIENTS=$IDLE_CLIENTS; using $(( $(ulimit -n) - 200 ))"
    IDLE_CLIENTS=$(( $(ulimit -n) - 200 ))
fi

# ---- pool sizing ----
EFFECTIVE_POOL_SIZE="$POOL_SIZE"
NOTES=()
if [ "$POOL_MODE" = session ] && [ "$CLIENTS" -gt "$POOL_SIZE" ]; then
    # In session mode each pgbench client keeps its server connection for the whole run, so the
    # clients beyond the pool would wait the whole run without a single transaction: TPS would be
    # that of POOL_SIZE clients and pgbench's latency average (clients * duration / txns) wrong.
    EFFECTIVE_POOL_SIZE="$CLIENTS"
    NOTES+=("session mode pins one server connection per client: pool size raised from $POOL_SIZE to $CLIENTS (= CLIENTS) for both proxies; use POOL_MODE=transaction to measure queueing on a smaller pool")
fi

# ---- configs ----
cat >"$OUT/bulkhead.toml" <<EOF
# Written by bench/run.sh
[proxy]
listen = "$BH_HOST:$BULKHEAD_PORT"
pool_mode = "$POOL_MODE"
workers = $WORKERS
max_client_connections = 20000
auth_method = "md5"

[[nodes]]
name = "primary"
host = "$BH_HOST"
port = $PRIMARY_PORT
role = "primary"

[[databases]]
name = "$BENCH_DB"
server_user = "$BH_SUPERUSER"
server_password = "$BH_SUPERPASS"
pool_size = $EFFECTIVE_POOL_SIZE
EOF
if [ "$ISOLATION" = schema ]; then
    TENANT_SCHEMA=tenant_bench
    [ "$WORKLOAD" = documents ] && TENANT_SCHEMA=tenant_acme
    cat >>"$OUT/bulkhead.toml" <<EOF
isolation = "schema"

[[tenants]]
name = "benchco"
database = "$BENCH_DB"
schema = "$TENANT_SCHEMA"
users = [{ name = "$BENCH_USER", password = "$BENCH_PASS" }]
EOF
elif [ "$ISOLATION" = shared ]; then
    cat >>"$OUT/bulkhead.toml" <<EOF
isolation = "shared"
tenant_column = "organization_id"
tenant_tables = ["app.folders", "app.documents", "app.document_versions", "auth.users", "app.organizations(id)"]
global_tables = ["public.plans"]

[[tenants]]
name = "acme"
database = "$BENCH_DB"
tenant_id = 1
users = [{ name = "$BENCH_USER", password = "$BENCH_PASS" }]
EOF
else
    cat >>"$OUT/bulkhead.toml" <<EOF

[[users]]
name = "$BENCH_USER"
password = "$BENCH_PASS"
EOF
fi

# The same proxy that also knows the replicas: reads go to them, writes to the primary, read-your-writes on.
sed "s/^listen = .*/listen = \"$BH_HOST:$ROUTED_PORT\"/" "$OUT/bulkhead.toml" >"$OUT/routed.toml"
for n in replica1 replica2; do
    printf '\n[[nodes]]\nname = "%s"\nhost = "%s"\nport = %s\nrole = "replica"\n' "$n" "$BH_HOST" "${BH_NODE_PORT[$n]}" >>"$OUT/routed.toml"
done

printf '"%s" "%s"\n' "$BENCH_USER" "$BENCH_PASS" >"$OUT/userlist.txt"
cat >"$OUT/pgbouncer.ini" <<EOF
; Written by bench/run.sh
[databases]
$BENCH_DB = host=$BH_HOST port=$PRIMARY_PORT dbname=$BENCH_DB user=$BH_SUPERUSER password=$BH_SUPERPASS

[pgbouncer]
listen_addr = $BH_HOST
listen_port = $PGBOUNCER_PORT
listen_backlog = 4096
unix_socket_dir =
auth_type = md5
auth_file = $OUT/userlist.txt
pool_mode = $POOL_MODE
default_pool_size = $EFFECTIVE_POOL_SIZE
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 20000
server_tls_sslmode = disable
ignore_startup_parameters = extra_float_digits
; runs in the foreground: the log goes to stderr, captured by run.sh
logfile =
pidfile =
log_connections = 0
log_disconnections = 0
EOF

# ---- proxies ----
MODES=(direct)
SKIPPED=()

if [ "$BULKHEAD_BIN" = none ]; then
    SKIPPED+=("bulkhead: skipped (BULKHEAD_BIN=none)")
else
    # The default binary is (re)built every time: the build is incremental, and a stale binary would
    # measure code that is no longer there.
    if [ "$BULKHEAD_BIN" = "$BH_REPO/.build/release/bulkhead" ] || [ ! -x "$BULKHEAD_BIN" ]; then
        if [ "$BULKHEAD_BIN" = "$BH_REPO/.build/release/bulkhead" ]; then
            command -v swift >/dev/null || bh_die "$BULKHEAD_BIN is missing and swift is not installed (BULKHEAD_BIN=none skips Bulkhead)"
            bh_say "building bulkhead: ${BH_RELEASE_BUILD[*]} (log: $LOGS/swift-build.log)"
            (cd "$BH_REPO" && bh_run_logged "$LOGS/swift-build.log" "${BH_RELEASE_BUILD[@]}") || bh_die "the release build failed"
            [ -x "$BULKHEAD_BIN" ] || bh_die "swift build did not produce $BULKHEAD_BIN"
        else
            bh_die "BULKHEAD_BIN=$BULKHEAD_BIN is not an executable (BULKHEAD_BIN=none skips Bulkhead)"
        fi
    fi
    if [ -n "$BULKHEAD_ARGS" ]; then
        read -r -a bulkhead_argv <<<"$BULKHEAD_ARGS"
    else
        bulkhead_argv=(--config "$OUT/bulkhead.toml")
    fi
    start_proxy bulkhead BULKHEAD_PID "$BULKHEAD_PORT" "$BULKHEAD_BIN" "${bulkhead_argv[@]}"
    [ "$ROUTING" = 1 ] && start_proxy routed ROUTED_PID "$ROUTED_PORT" "$BULKHEAD_BIN" --config "$OUT/routed.toml"
fi

command -v pgbouncer >/dev/null || bh_die "pgbouncer not found (run deploy/local/cluster.sh up first)"
PGBOUNCER_CMD=(pgbouncer "$OUT/pgbouncer.ini")
# pgbouncer refuses to run as root: -u makes it read its files as root, then switch user.
[ "$(id -u)" -eq 0 ] && PGBOUNCER_CMD=(pgbouncer -u "$(bh_pg_user)" "$OUT/pgbouncer.ini")
start_proxy pgbouncer PGBOUNCER_PID "$PGBOUNCER_PORT" "${PGBOUNCER_CMD[@]}"
if [ "$PREPARED" = 1 ]; then
    [ -n "${BULKHEAD_PID:-}" ] && MODES+=(prepared)
    [ -n "${PGBOUNCER_PID:-}" ] && MODES+=(pgb-prep)
fi

# ---- pgbench runs ----
# shellcheck disable=SC2206
PGBENCH_EXTRA=($PGBENCH_ARGS)
# Statements per transaction, to turn the routing cost per transaction into one per statement: pgbench's
# select-only runs 1, simple-update (-N) 5 and tpcb-like 7 (BEGIN and END included); STATEMENTS_PER_TXN overrides.
if [ -z "${STATEMENTS_PER_TXN:-}" ]; then
    case " $PGBENCH_ARGS " in
        *" -S "* | *select-only*) STATEMENTS_PER_TXN=1 ;;
        *" -N "* | *simple-update*) STATEMENTS_PER_TXN=5 ;;
        *) STATEMENTS_PER_TXN=7 ;;
    esac
fi

run_one() { # ROUND MODE -> appends a line to $RESULTS_TSV
    local round="$1" mode="$2" port user pass pid prefix out t0 t1 rc tps lat txns p99 cpu reason
    read -r port user pass <<<"$(mode_target "$mode")"
    pid="$(mode_pid "$mode")"
    prefix="$LOGS/txn_r${round}_${mode}"
    out="$LOGS/pgbench_r${round}_${mode}.out"
    rm -f "$prefix".*
    [ -n "$pid" ] && t0="$(cpu_ticks "$pid")"
    rc=0
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
        printf '%s\t%s\tFAILED\t%s\n' "$round" "$mode" "$mode is no longer running (see $LOGS/$mode.log)" >>"$RESULTS_TSV"
        return 0
    fi
    # --foreground: pgbench stays in our process group, so Ctrl-C reaches it and the trap runs.
    local script extra
    read -r -a script <<<"$(mode_script "$mode")"
    read -r -a extra <<<"$(mode_extra "$mode")"
    PGPASSWORD="$pass" timeout --foreground --kill-after=10 $((DURATION * 2 + 120)) \
        pgbench "${PGBENCH_EXTRA[@]}" "${extra[@]}" "${script[@]}" -c "$CLIENTS" -j 2 -T "$DURATION" --no-vacuum \
        --log --log-prefix="$prefix" -h "$BH_HOST" -p "$port" -U "$user" "$BENCH_DB" >"$out" 2>&1 || rc=$?
    # Interrupted (Ctrl-C / SIGTERM reached pgbench through timeout): stop here, the trap cleans up.
    case "$rc" in 130 | 143) exit "$rc" ;; esac
    [ -n "$pid" ] && t1="$(cpu_ticks "$pid")"
    tps="$(sed -nE 's/^tps = ([0-9.]+) \((without initial connection time|excluding connections establishing)\).*/\1/p' "$out" | head -n1)"
    lat="$(sed -nE 's/^latency average = ([0-9.]+) ms.*/\1/p' "$out" | head -n1)"
    txns="$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$out" | head -n1)"
    if [ "$rc" -ne 0 ] || [ -z "$tps" ] || [ -z "${txns:-}" ] || [ "${txns:-0}" -eq 0 ]; then
        reason="$(grep -m1 -iE 'error|fatal|abort' "$out" | cut -c1-110 || true)"
        [ "$rc" -eq 124 ] && reason="timed out"
        printf '%s\t%s\tFAILED\t%s\n' "$round" "$mode" "${reason:-pgbench exit $rc}" >>"$RESULTS_TSV"
        rm -f "$prefix".*
        return 0
    fi
    # p99 of per-transaction latency (3rd field of pgbench's log, in µs) over all threads' logs.
    p99="$(cat "$prefix".* 2>/dev/null | awk '$3 ~ /^[0-9]+$/ {print $3}' | sort -n \
        | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else {i = int(NR * 0.99); if (i < NR * 0.99) i++; printf "%.3f", v[i] / 1000}}')" || p99="-"
    rm -f "$prefix".*
    cpu="-"
    if [ -n "$pid" ]; then
        cpu="$(awk -v d="$((t1 - t0))" -v hz="$CLK_TCK" -v n="$txns" 'BEGIN {printf "%.1f", d * 1e6 / hz / n}')"
    fi
    printf '%s\t%s\tOK\t%s\t%s\t%s\t%s\t%s\n' "$round" "$mode" "$tps" "$lat" "$p99" "$cpu" "$txns" >>"$RESULTS_TSV"
}

bh_say "pgbench ${PGBENCH_ARGS} -c $CLIENTS -j 2 -T $DURATION --no-vacuum; $POOL_MODE pool of $EFFECTIVE_POOL_SIZE; $ROUNDS round(s): ${MODES[*]}"
for ((r = 1; r <= ROUNDS; r++)); do
    for m in "${MODES[@]}"; do
        printf '  round %d %-9s ... ' "$r" "$m"
        run_one "$r" "$m"
        tail -n1 "$RESULTS_TSV" | awk -F'\t' '$3 == "OK" {printf "%.1f tps\n", $4} $3 != "OK" {print "FAILED: " $4}'
    done
done

# ---- idle clients ----
IDLE_RESULTS=()
idle_test() { # MODE
    local mode="$1" port user pass pid status rss0 rss1 ok failed i
    read -r port user pass <<<"$(mode_target "$mode")"
    pid="$(mode_pid "$mode")"
    status="$LOGS/idle_${mode}.status"
    rm -f "$status"
    if ! kill -0 "$pid" 2>/dev/null; then
        IDLE_RESULTS+=("$(printf '%-10s FAILED: %s is no longer running' "$mode" "$mode")")
        return 0
    fi
    rss0="$(rss_kb "$pid")"
    python3 "$BH_REPO/bench/idle_clients.py" --host "$BH_HOST" --port "$port" --user "$user" --password "$pass" \
        --database "$BENCH_DB" --count "$IDLE_CLIENTS" --status-file "$status" --hold-max 300 \
        >"$LOGS/idle_${mode}.log" 2>&1 &
    IDLE_PID=$!
    for ((i = 0; i < 3000; i++)); do
        [ -f "$status" ] && break
        kill -0 "$IDLE_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ ! -f "$status" ]; then
        stop_pid "$IDLE_PID" idle-clients; IDLE_PID=""
        IDLE_RESULTS+=("$(printf '%-10s FAILED (see %s)' "$mode" "$LOGS/idle_${mode}.log")")
        return 0
    fi
    sleep 2   # let the proxy settle
    rss1="$(rss_kb "$pid")"
    kill -0 "$pid" 2>/dev/null || rss1="exited"
    read -r _ ok failed _ <"$status"
    stop_pid "$IDLE_PID" idle-clients; IDLE_PID=""
    if [ "$rss1" = exited ]; then
        IDLE_RESULTS+=("$(printf '%-10s FAILED: %s died during the test' "$mode" "$mode")")
    elif [ "$ok" -gt 0 ]; then
        IDLE_RESULTS+=("$(printf '%-10s %9s %7s %12s %12s %10s' "$mode" "$ok" "$failed" "$rss0" "$rss1" \
            "$(awk -v a="$rss0" -v b="$rss1" -v n="$ok" 'BEGIN {printf "%.2f", (b - a) / n}')")")
    else
        IDLE_RESULTS+=("$(printf '%-10s FAILED: no connection succeeded (%s)' "$mode" "$(grep -m1 '^ERROR' "$status" | cut -c1-100)")")
    fi
    [ "${failed:-0}" -gt 0 ] && NOTES+=("$mode idle test: $failed of $IDLE_CLIENTS connections failed; first error: $(grep -m1 '^ERROR' "$status" | cut -c1-120)")
    sleep 1
}
if [ "$IDLE_CLIENTS" -gt 0 ]; then
    for m in "${MODES[@]}"; do
        case "$m" in direct | routed | prepared | pgb-prep) continue ;; esac
        printf '  idle clients %-9s ... ' "$m"
        idle_test "$m"
        echo "done"
    done
fi

# ---- report ----
report() {
    local m
    echo
    echo "Bulkhead benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores"
    echo "pgbench ${PGBENCH_ARGS} -c $CLIENTS -j 2 -T $DURATION --no-vacuum, scale $SCALE; pool_mode $POOL_MODE, pool size $EFFECTIVE_POOL_SIZE; workload $WORKLOAD, bulkhead isolation $ISOLATION, workers $WORKERS"
    echo "direct = PostgreSQL 15 primary 127.0.0.1:$PRIMARY_PORT (user postgres, SCRAM); bulkhead :$BULKHEAD_PORT and pgbouncer :$PGBOUNCER_PORT (user bench, md5)"
    for m in "${SKIPPED[@]}"; do echo "note: $m"; done
    for m in "${NOTES[@]}"; do echo "note: $m"; done
    echo
    printf '%-6s %-10s %12s %10s %10s %12s\n' round mode TPS "avg ms" "p99 ms" "CPU us/txn"
    awk -F'\t' '$3 == "OK" {printf "%-6s %-10s %12.1f %10.3f %10s %12s\n", $1, $2, $4, $5, $6, $7}
                $3 != "OK" {printf "%-6s %-10s FAILED: %s\n", $1, $2, $4}' "$RESULTS_TSV"
    echo
    echo "medians (successful runs)"
    printf '%-10s %5s %12s %10s %10s %12s\n' mode runs TPS "avg ms" "p99 ms" "CPU us/txn"
    declare -gA MED_TPS=() MED_LAT=() MED_P99=() MED_CPU=()
    for m in direct bulkhead routed pgbouncer prepared pgb-prep; do
        local n
        n="$(awk -F'\t' -v m="$m" '$2 == m && $3 == "OK"' "$RESULTS_TSV" | wc -l)"
        if [ "$n" -eq 0 ]; then
            awk -F'\t' -v m="$m" '$2 == m' "$RESULTS_TSV" | grep -q . && printf '%-10s FAILED in every round\n' "$m"
            continue
        fi
        MED_TPS[$m]="$(awk -F'\t' -v m="$m" '$2 == m && $3 == "OK" {print $4}' "$RESULTS_TSV" | median)"
        MED_LAT[$m]="$(awk -F'\t' -v m="$m" '$2 == m && $3 == "OK" {print $5}' "$RESULTS_TSV" | median)"
        MED_P99[$m]="$(awk -F'\t' -v m="$m" '$2 == m && $3 == "OK" && $6 != "-" {print $6}' "$RESULTS_TSV" | median)"
        MED_CPU[$m]="$(awk -F'\t' -v m="$m" '$2 == m && $3 == "OK" && $7 != "-" {print $7}' "$RESULTS_TSV" | median)"
        printf '%-10s %5s %12.1f %10.3f %10s %12s\n' "$m" "$n" "${MED_TPS[$m]}" "${MED_LAT[$m]}" \
            "$(fmt "${MED_P99[$m]:-}" 3)" "$(fmt "${MED_CPU[$m]:-}" 1)"
    done
    echo
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b}'; }
    if [ -n "${MED_TPS[bulkhead]:-}" ]; then
        for m in pgbouncer direct; do
            if [ -n "${MED_TPS[$m]:-}" ]; then
                printf 'bulkhead/%-9s TPS %s  avg latency %s  p99 %s' "$m" \
                    "$(ratio "${MED_TPS[bulkhead]}" "${MED_TPS[$m]}")" "$(ratio "${MED_LAT[bulkhead]}" "${MED_LAT[$m]}")" \
                    "$(ratio "${MED_P99[bulkhead]:-}" "${MED_P99[$m]:-}")"
                [ "$m" = pgbouncer ] && printf '  CPU/txn %s' "$(ratio "${MED_CPU[bulkhead]:-}" "${MED_CPU[$m]:-}")"
                echo
            else
                echo "bulkhead/$m: - ($m has no successful run)"
            fi
        done
    else
        echo "ratios: - (no successful bulkhead run)"
    fi
    if [ -n "${MED_TPS[routed]:-}" ] && [ -n "${MED_TPS[bulkhead]:-}" ]; then
        printf 'routed/bulkhead TPS %s  avg latency %s  p99 %s  CPU/txn %s\n' \
            "$(ratio "${MED_TPS[routed]}" "${MED_TPS[bulkhead]}")" "$(ratio "${MED_LAT[routed]}" "${MED_LAT[bulkhead]}")" \
            "$(ratio "${MED_P99[routed]:-}" "${MED_P99[bulkhead]:-}")" "$(ratio "${MED_CPU[routed]:-}" "${MED_CPU[bulkhead]:-}")"
        awk -v r="${MED_CPU[routed]:-}" -v b="${MED_CPU[bulkhead]:-}" -v s="$STATEMENTS_PER_TXN" \
            'BEGIN {if (r != "" && b != "") printf "routing adds %.1f us of proxy CPU per transaction, %.2f us per statement (%d statements per transaction)\n", r - b, (r - b) / s, s}'
    fi
    if [ "$PREPARED" = 1 ]; then
        printf 'bulkhead -M prepared / bulkhead %s: TPS %s (issue 3 target: at least 1.15)\n' "${PGBENCH_ARGS:-(no arguments)}" \
            "$(ratio "${MED_TPS[prepared]:-}" "${MED_TPS[bulkhead]:-}")"
        if [ -z "${MED_TPS[pgb-prep]:-}" ]; then
            echo "pgbouncer -M prepared: failed in every round, as PgBouncer $(pgbouncer --version 2>/dev/null | awk 'NR == 1 {print $2}') does in transaction mode: $(awk -F'\t' '$2 == "pgb-prep" && $3 != "OK" {print $4; exit}' "$RESULTS_TSV")"
        fi
    fi
    if [ -n "${MED_TPS[pgbouncer]:-}" ] && [ -n "${MED_TPS[direct]:-}" ]; then
        printf 'pgbouncer/direct TPS %s  avg latency %s  p99 %s\n' \
            "$(ratio "${MED_TPS[pgbouncer]}" "${MED_TPS[direct]}")" "$(ratio "${MED_LAT[pgbouncer]}" "${MED_LAT[direct]}")" \
            "$(ratio "${MED_P99[pgbouncer]:-}" "${MED_P99[direct]:-}")"
    fi
    echo
    if [ "$IDLE_CLIENTS" -gt 0 ]; then
        echo "idle clients: $IDLE_CLIENTS per proxy (startup + md5 auth, then idle)"
        printf '%-10s %9s %7s %12s %12s %10s\n' proxy connected failed "RSS before" "RSS after" "KB/client"
        if [ "${#IDLE_RESULTS[@]}" -eq 0 ]; then echo "(no proxy ran)"; fi
        for m in "${IDLE_RESULTS[@]}"; do echo "$m"; done
    else
        echo "idle clients: skipped (IDLE_CLIENTS=0)"
    fi
    if [ -n "$ROUTE_COST" ]; then
        echo
        echo "routing's own CPU per statement, without I/O (bulkhead route-cost; the figure for the 2 us target: the"
        echo "end-to-end difference above also carries how two more servers on the same cores change the proxy's batching)"
        echo "$ROUTE_COST" | awk -F'\t' '{printf "%-36s %10s %10s %10s\n", $1, $2, $3, $4}'
    fi
    if [ -n "$GATE_COST" ]; then
        echo
        echo "SQL gate per statement for the tenant (bulkhead gate-cost): cold = parsed, checked and verified; warm = cached; shape = new literals in a cached shape"
        echo "$GATE_COST" | awk -F'\t' '{printf "%-62s %-12s %10s %10s %10s\n", $1, $2, $3, $4, $5}'
    fi
}
# The gate's own cost, measured by the same binary, when the tenant's statements go through it.
GATE_COST=""
if [ "$ISOLATION" != none ] && [ "$BULKHEAD_BIN" != none ] && [ -x "$BULKHEAD_BIN" ]; then
    GATE_SCRIPT="$WORKLOAD_TENANT"
    [ "$WORKLOAD" = pgbench ] && GATE_SCRIPT="$BH_REPO/bench/workloads/pgbench-select-only.sql"
    GATE_COST="$("$BULKHEAD_BIN" gate-cost --config "$OUT/bulkhead.toml" --user "$BENCH_USER" "$GATE_SCRIPT" 2>&1)" \
        || GATE_COST="gate-cost FAILED: $GATE_COST"
fi
# Routing's own cost, measured by the same binary, when the routed proxy ran.
ROUTE_COST=""
if [ "$ROUTING" = 1 ] && [ "$BULKHEAD_BIN" != none ] && [ -x "$BULKHEAD_BIN" ]; then
    ROUTE_COST="$("$BULKHEAD_BIN" route-cost 2>&1)" || ROUTE_COST="route-cost FAILED: $ROUTE_COST"
fi
report | tee "$OUT/results.txt"
