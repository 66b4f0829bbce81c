# The two commands of README.md: `make run` starts the server on the
# embedded default (SQLite under ./data); `make test` runs the whole suite,
# installing what it needs first.
.PHONY: run test build generate

run:
	go run ./cmd/ninsho serve

test:
	bash scripts/test.sh

build:
	go build -o bin/ninsho ./cmd/ninsho

generate:
	go generate ./...
