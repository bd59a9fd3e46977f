# Tandem. `make run` starts everything; `make test` runs every test.

GO          ?= go
TOOLS       := $(GO) tool -modfile=$(CURDIR)/tools/go.mod
BUF         := $(TOOLS) buf
STATICCHECK := $(TOOLS) staticcheck
TEST_FLAGS  ?= -race -count=1 -timeout 15m

.PHONY: run test faults services generate check-generated lint build bench clean

## run: every service in one process, an in-process NATS, the demo articles
run:
	$(GO) run ./cmd/tandem dev

## test: the whole suite (starts Redis and NATS here if they are not running)
test: services
	$(GO) test $(TEST_FLAGS) ./...

## faults: only the fault, crash, credential and permission tests, verbose, with their counts
## (they are part of `make test` too)
faults: services
	$(GO) test $(TEST_FLAGS) -v -run 'LosesNothing|Outage|Interrupted|DiesBeforeAcking|Poison|Permissions|TLS' ./cmd/tandem ./services/... ./pkg/events 2>&1 \
		| grep -E '^(=== RUN|--- |ok|FAIL|PASS)|verified|injected|lost|site user'

## services: start local Redis and NATS when they are installed but stopped
services:
	@bash .ci/services

## generate: regenerate the Go code of proto/ (generators come from go.mod and tools/go.mod)
generate:
	cd proto && $(BUF) lint && $(BUF) generate

## check-generated: fail when the committed generated code is stale
check-generated: generate
	@if [ -n "$$(git status --porcelain -- proto)" ]; then \
		echo "generated code in proto/ is stale: run 'make generate' and commit the result"; \
		git status --short -- proto; exit 1; fi

## lint: gofmt, go vet, staticcheck, buf lint
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(STATICCHECK) ./...
	cd proto && $(BUF) lint

## build: bin/tandem
build:
	$(GO) build -o bin/tandem ./cmd/tandem

## bench: Go benchmarks, in a form benchstat reads
bench: services
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./... | tee bench.out

clean:
	rm -rf bin bench.out
