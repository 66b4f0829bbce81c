#!/usr/bin/env bash
# The whole test suite, as README.md gives it and CI runs it. It installs
# what the tests need when missing (on Debian, as root or with sudo), then
# runs formatting and vet checks, the Go tests (unit, conformance, protocol,
# end-to-end with the real aws CLI, aws-sdk-go-v2, boto3 and the npm clients
# amazon-cognito-identity-js, aws-jwt-verify and @aws-sdk/*; cmd/apigen's
# tests check that the generated code matches the pinned models), and short fuzz
# runs of the parsers.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
command -v aws >/dev/null 2>&1 || need_apt+=(awscli)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
if ! python3 -c 'import boto3' >/dev/null 2>&1; then need_apt+=(python3-boto3); fi
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v npm >/dev/null 2>&1 || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} from Debian's packages"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

# The npm clients of the Node end-to-end tests (test/node), at the versions
# package-lock.json pins; test/e2e fails rather than skips without them.
if [ ! -d test/node/node_modules ] || [ test/node/package-lock.json -nt test/node/node_modules/.package-lock.json ]; then
  log "installing the npm clients (test/node)"
  (cd test/node && npm ci --no-audit --no-fund --loglevel=error)
fi
export NINSHO_REQUIRE_NODE=1

# PostgreSQL: unless NINSHO_TEST_POSTGRES already names a server, run a
# throwaway cluster for the store's conformance suite and the e2e tests
# against PostgreSQL: Debian's postgresql package when initdb is missing,
# a cluster in a temporary directory owned by an unprivileged user (the
# server refuses to run as root), on a free loopback port, fsync off; it is
# stopped and removed on exit.
pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null 2>&1 && dirname "$(readlink -f "$(command -v initdb)")"
}
start_postgres() {
  local bin dir port user run
  bin=$(pg_bin || true)
  if [ -z "$bin" ]; then
    log "installing postgresql from Debian's packages"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
    bin=$(pg_bin)
  fi
  dir=$(mktemp -d /tmp/ninsho-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run=()
  if [ "$(id -u)" = 0 ]; then
    user=postgres
    id -u "$user" >/dev/null 2>&1 || user=nobody
    chown "$user" "$dir"
    run=(runuser -u "$user" --)
  fi
  PG_STOP=("${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
  PG_DIR=$dir
  trap 'stop_postgres' EXIT
  "${run[@]}" "$bin/initdb" -D "$dir/data" -U ninsho --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log"; exit 1; }
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
    || { cat "$dir/server.log"; exit 1; }
  export NINSHO_TEST_POSTGRES="postgres://ninsho@127.0.0.1:$port/postgres?sslmode=disable"
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
}
stop_postgres() {
  "${PG_STOP[@]}" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
if [ -z "${NINSHO_TEST_POSTGRES:-}" ]; then start_postgres; fi

log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*'))
if [ -n "$unformatted" ]; then echo "gofmt would change:"; echo "$unformatted"; exit 1; fi

log "go vet"
go vet ./...

log "go test"
go test -count=1 -timeout 20m ./...

log "end-to-end tests again, every server on PostgreSQL"
NINSHO_E2E_BACKEND=postgres go test -count=1 -timeout 20m ./test/e2e

log "fuzz smoke (100,000 inputs per target)"
go test -run '^$' -fuzz '^FuzzDecodeJSON$' -fuzztime 100000x ./internal/awsproto
go test -run '^$' -fuzz '^FuzzDecodeQuery$' -fuzztime 100000x ./internal/awsproto
go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 100000x ./internal/iam/policy
go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 100000x ./internal/sigv4
go test -run '^$' -fuzz '^FuzzParseFilter$' -fuzztime 100000x ./internal/service/userpool

log "all tests passed"
