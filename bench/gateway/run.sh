#!/usr/bin/env bash
# Throughput and latency of the gateway against direct and nginx proxy_pass.
# Loopback only; every process started here is stopped on exit.
# Usage: bench/gateway/run.sh [duration, default 10s] [connections, default 32]
set -euo pipefail
DUR=${1:-10s}
CONNS=${2:-32}
THREADS=${THREADS:-2}
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null || ! { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then
	apt-get install -y wrk nginx-light >/dev/null 2>&1 || apt-get install -y wrk nginx >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

TMP=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

BPORT=18081 NPORT=18082 GPORT=18083
go build -o "$TMP/gwbench" ./bench/gateway
"$TMP/gwbench" -backend 127.0.0.1:$BPORT & PIDS+=($!)
"$TMP/gwbench" -gateway 127.0.0.1:$GPORT -target http://127.0.0.1:$BPORT -token-file "$TMP/token" & PIDS+=($!)

cat >"$TMP/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $TMP/body;
	proxy_temp_path $TMP/proxy;
	fastcgi_temp_path $TMP/fastcgi;
	uwsgi_temp_path $TMP/uwsgi;
	scgi_temp_path $TMP/scgi;
	upstream backend { server 127.0.0.1:$BPORT; keepalive 64; }
	server {
		listen 127.0.0.1:$NPORT;
		location / {
			proxy_pass http://backend;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
		}
	}
}
CONF
"$NGINX" -c "$TMP/nginx.conf" -p "$TMP" & PIDS+=($!)

for i in $(seq 50); do
	if [ -s "$TMP/token" ] && curl -sf "http://127.0.0.1:$NPORT/" >/dev/null && curl -sf "http://127.0.0.1:$GPORT/_aws/execute-api/bench/none" >/dev/null; then break; fi
	sleep 0.2
done
TOKEN=$(cat "$TMP/token")
curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GPORT/_aws/execute-api/bench/jwt" >/dev/null || { echo "JWT route refused the token" >&2; exit 1; }

run() {
	local name=$1; shift
	local out
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "$@")
	local rps p50 p99
	rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	p50=$(awk '$1=="50%" {print $2}' <<<"$out")
	p99=$(awk '$1=="99%" {print $2}' <<<"$out")
	printf '%-8s %12s req/s   p50 %-9s p99 %s\n' "$name" "$rps" "$p50" "$p99"
}
echo "wrk -t$THREADS -c$CONNS -d$DUR  ($(nproc) CPUs, loopback)"
run direct "http://127.0.0.1:$BPORT/"
run nginx "http://127.0.0.1:$NPORT/"
run NONE "http://127.0.0.1:$GPORT/_aws/execute-api/bench/none"
run JWT -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GPORT/_aws/execute-api/bench/jwt"
