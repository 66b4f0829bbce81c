#!/usr/bin/env bash
# Large-pool and multi-instance benchmarks (not part of make test: the
# 1M-user load takes minutes and a few GB of disk).
#
#   NINSHO_TEST_POSTGRES=postgres://user@127.0.0.1:5432/postgres?sslmode=disable \
#     bench/users/run.sh [BIG_USERS] [OUTDIR]
#
# For SQLite and for PostgreSQL (a database created and dropped here): a
# pool of 1,000 users and one of BIG_USERS (default 1,000,000) loaded
# straight into the store, AdminInitiateAuth and ListUsers email-filter
# latency in both (users-bench probe); then AdminCreateUser and
# AdminInitiateAuth throughput (cogbench) on one instance, and on
# PostgreSQL with two instances (one cogbench per instance, run at once).
# Needs ../shared/tools/cogbench. Figures are only comparable within one run
# on one machine.
set -euo pipefail
BIG=${1:-1000000}
OUT=${2:-$(mktemp -d /tmp/ninsho-bench-XXXXXX)}
PG=${NINSHO_TEST_POSTGRES:?set NINSHO_TEST_POSTGRES to a postgres:// URL of a server where databases may be created}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COGBENCH_DIR=${COGBENCH_DIR:-$ROOT/../shared/tools/cogbench}
mkdir -p "$OUT"
echo "results in $OUT"
go build -C "$ROOT" -o "$OUT/ninsho" ./cmd/ninsho
go build -C "$ROOT" -o "$OUT/users-bench" ./bench/users
go build -C "$COGBENCH_DIR" -o "$OUT/cogbench" .

PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -n "${DBNAME:-}" ] && psql "$PG" -qc "DROP DATABASE IF EXISTS $DBNAME WITH (FORCE)" >/dev/null || true
}
trap cleanup EXIT

# serve PORT ARGS... starts ninsho and waits for /health; sets SRV_PID.
serve() {
	local port=$1; shift
	"$OUT/ninsho" serve --listen "127.0.0.1:$port" --log-level warn "$@" >>"$OUT/server-$port.log" 2>&1 &
	SRV_PID=$!
	PIDS+=("$SRV_PID")
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return; sleep 0.1; done
	echo "ninsho on $port did not start" >&2; exit 1
}

# pools LABEL PORT STORE-FLAGS...: the 1k and BIG pools and their probes.
pools() {
	local label=$1 port=$2; shift 2
	for n in 1000 "$BIG"; do
		local line pool client
		line=$("$OUT/users-bench" load -endpoint "http://127.0.0.1:$port" "$@" -n "$n" | tee -a "$OUT/load.txt")
		pool=$(echo "$line" | awk '/^pool/{print $2}')
		client=$(echo "$line" | awk '/^pool/{print $4}')
		echo "$line" | sed -n "s/^loaded/$label: loaded/p"
		"$OUT/users-bench" probe -endpoint "http://127.0.0.1:$port" -pool "$pool" -client "$client" -n "$n" -ops 1000 | sed "s/^/$label: /"
	done
}

# throughput LABEL PORT...: cogbench create + admin-auth, one per port, at once.
throughput() {
	local label=$1; shift
	local bench=()
	for port in "$@"; do
		"$OUT/cogbench" -endpoint "http://127.0.0.1:$port" -users 3000 -concurrency 8 -duration 10s \
			-phases create,admin-auth >"$OUT/cogbench-$label-$port.txt" 2>&1 &
		bench+=($!)
	done
	wait "${bench[@]}"
	for port in "$@"; do
		grep -E '^(create:AdminCreateUser|admin-auth) ' "$OUT/cogbench-$label-$port.txt" | sed "s/^/$label :$port  /"
	done
}

echo "== SQLite"
serve 19401 --data "$OUT/sqlite"
pools sqlite 19401 -data "$OUT/sqlite"
throughput sqlite-1 19401
kill "$SRV_PID"; wait "$SRV_PID" 2>/dev/null || true

echo "== PostgreSQL"
DBNAME=ninsho_bench_$RANDOM$RANDOM
psql "$PG" -qc "CREATE DATABASE $DBNAME TEMPLATE template0 ENCODING 'UTF8'" >/dev/null
DB=$(echo "$PG" | sed -E "s#(postgres(ql)?://[^/]+)/[^?]*#\1/$DBNAME#")
serve 19402 --data "$OUT/pg-a" --db "$DB"
pools postgres 19402 -db "$DB"
throughput postgres-1 19402
serve 19403 --data "$OUT/pg-b" --db "$DB"
throughput postgres-2 19402 19403
