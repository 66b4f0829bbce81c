#!/usr/bin/env bash
# Throughput and latency of a whole ninsho process's API gateway against the
# same backend reached directly and through nginx, with wrk.
#
#   direct  wrk -> backend
#   nginx   wrk -> nginx (one worker, proxy_pass to an upstream with
#           keepalive 64, HTTP/1.1, access log off; config below) -> backend
#   nginx+tok  the same carrying the JWT route's Authorization header (a
#           Cognito ID token is over a kilobyte, which every hop carries):
#           the like-for-like reference for JWT
#   NONE    wrk -> ninsho (the built binary, --config below) -> backend
#   JWT     the same with a real ID token of a pool of that server
#           (AdminInitiateAuth), verified then cached, sub mapped to a header
#   IAM     the same with a request SigV4-signed with a session of a role
#           whose policy allows execute-api:Invoke (sts AssumeRole)
#
# The targets are interleaved and the whole table runs ROUNDS times (2 by
# default), since other work on the machine moves the figures. Loopback
# only; bounded in time; every process started here is stopped on exit.
# Not part of make test. wrk and nginx are installed from Debian when
# missing.
#
# Usage: bench/gateway/run.sh [duration, default 8s] [connections, default 32]
#        THREADS=2 ROUNDS=2 bench/gateway/run.sh 10s 64
set -euo pipefail
DUR=${1:-8s}
CONNS=${2:-32}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-2}
cd "$(dirname "$0")/../.."

if ! command -v wrk >/dev/null || ! { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }; then
	{ apt-get update && apt-get install -y wrk nginx-light; } >/dev/null 2>&1 || apt-get install -y wrk nginx >/dev/null
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

BPORT=${BPORT:-18081} NPORT=${NPORT:-18082} GPORT=${GPORT:-18083}
go build -o "$TMP/gateway-bench" ./bench/gateway
go build -o "$TMP/ninsho" ./cmd/ninsho
timeout 600 "$TMP/gateway-bench" backend -listen 127.0.0.1:$BPORT & PIDS+=($!)

cat >"$TMP/ninsho.yaml" <<CONF
userPools:
  bench:
    name: bench
    usernameAttributes: [email]
    clients:
      bench: {name: bench, explicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]}
    users:
      - {username: bench@example.com, password: Bench-passw0rd, attributes: {email_verified: "true"}}
roles:
  invoker:
    name: bench-invoker
    assumeRolePolicy:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Principal: {AWS: "arn:aws:iam::000000000000:root"}, Action: sts:AssumeRole}
    policies:
      invoke:
        Version: "2012-10-17"
        Statement:
          - {Effect: Allow, Action: execute-api:Invoke, Resource: "arn:aws:execute-api:*:*:*"}
apis:
  bench:
    name: bench
    authorizers: {pool: {type: JWT, userPool: bench, audience: [bench]}}
    integrations: {backend: {uri: "http://127.0.0.1:$BPORT/"}}
    routes:
      - {key: "GET /none", integration: backend}
      - {key: "GET /jwt", authorization: JWT, authorizer: pool, integration: backend,
         requestParameters: {"overwrite:header.x-user-sub": "\$context.authorizer.claims.sub"}}
      - {key: "GET /iam", authorization: AWS_IAM, integration: backend}
CONF
timeout 600 "$TMP/ninsho" serve --listen 127.0.0.1:$GPORT --data "$TMP/data" --config "$TMP/ninsho.yaml" 2>"$TMP/ninsho.log" & PIDS+=($!)

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
timeout 600 "$NGINX" -c "$TMP/nginx.conf" -p "$TMP" & PIDS+=($!)

up=""
for _ in $(seq 100); do
	if curl -sf "http://127.0.0.1:$BPORT/" >/dev/null && curl -sf "http://127.0.0.1:$NPORT/" >/dev/null &&
		curl -sf "http://127.0.0.1:$GPORT/health" >/dev/null; then up=1; break; fi
	sleep 0.2
done
[ -n "$up" ] || { echo "the servers did not start" >&2; cat "$TMP/ninsho.log" >&2; exit 1; }
timeout 60 "$TMP/gateway-bench" setup -endpoint "http://127.0.0.1:$GPORT" -out "$TMP"
API=$(cat "$TMP/api")
TOKEN=$(cat "$TMP/token")
IAMH=()
while IFS= read -r line; do IAMH+=(-H "$line"); done <"$TMP/iam"
GW="http://127.0.0.1:$GPORT/_aws/execute-api/$API"
curl -sf "$GW/none" >/dev/null || { echo "the NONE route failed" >&2; exit 1; }
curl -sf -H "Authorization: Bearer $TOKEN" "$GW/jwt" >/dev/null || { echo "the JWT route refused the token" >&2; exit 1; }
curl -sf "${IAMH[@]}" "$GW/iam" >/dev/null || { echo "the IAM route refused the signature" >&2; curl -s "${IAMH[@]}" "$GW/iam" >&2; exit 1; }

# ms converts wrk's "1.23ms"/"456.00us"/"1.20s" to milliseconds.
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }
declare -A RPS P50 P99
run() {
	local name=$1; shift
	local out
	out=$(timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "$@")
	if grep -q 'Non-2xx' <<<"$out"; then echo "$name: non-2xx answers" >&2; grep 'Non-2xx' <<<"$out" >&2; fi
	RPS[$name]=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
	P50[$name]=$(ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
	P99[$name]=$(ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
}
echo "wrk -t$THREADS -c$CONNS -d$DUR, $(nproc) CPUs, loopback; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Warm every path (connections, token cache) before measuring.
for u in "http://127.0.0.1:$BPORT/" "http://127.0.0.1:$NPORT/" "$GW/none"; do timeout 30 wrk -t1 -c"$CONNS" -d1s "$u" >/dev/null; done
for round in $(seq "$ROUNDS"); do
	run direct "http://127.0.0.1:$BPORT/"
	run nginx "http://127.0.0.1:$NPORT/"
	run nginx+tok -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$NPORT/"
	run NONE "$GW/none"
	run JWT -H "Authorization: Bearer $TOKEN" "$GW/jwt"
	run IAM "${IAMH[@]}" "$GW/iam"
	echo "round $round (load average $(cut -d' ' -f1-3 /proc/loadavg))"
	printf '  %-9s %10s %9s %9s %12s\n' target "req/s" "p50 ms" "p99 ms" "p99-direct"
	for n in direct nginx nginx+tok NONE JWT IAM; do
		printf '  %-9s %10s %9s %9s %12s\n' "$n" "${RPS[$n]}" "${P50[$n]}" "${P99[$n]}" \
			"$(awk -v a="${P99[$n]}" -v b="${P99[direct]}" 'BEGIN { printf "%+.3f", a - b }')"
	done
	awk -v j="${RPS[JWT]}" -v n="${RPS[nginx]}" -v t="${RPS[nginx+tok]}" -v o="${RPS[NONE]}" -v i="${RPS[IAM]}" \
		'BEGIN { printf "  JWT/nginx %.0f%%   JWT/nginx+tok %.0f%%   NONE/nginx %.0f%%   IAM/nginx %.0f%%\n", 100*j/n, 100*j/t, 100*o/n, 100*i/n }'
done
