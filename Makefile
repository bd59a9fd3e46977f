# Tandem. `make run` starts everything; `make test` runs every test.

GO          ?= go
TOOLS       := $(GO) tool -modfile=$(CURDIR)/tools/go.mod
BUF         := $(TOOLS) buf
STATICCHECK := $(TOOLS) staticcheck
TEST_FLAGS  ?= -race -count=1 -timeout 15m

# A recipe whose pipeline fails anywhere fails: `go test ... | grep` must
# not hide a failing test behind grep's success.
SHELL       := bash
.SHELLFLAGS := -o pipefail -c

.PHONY: run test faults services generate check-generated lint mutation build bench bench-tools qa-report clean screenshots lighthouse site-screenshots

## run: every service in one process, an in-process NATS, the demo articles
run:
	$(GO) run ./cmd/tandem dev

## test: the whole suite (starts Redis and NATS here if they are not running)
test: services
	$(GO) test $(TEST_FLAGS) ./...
	cd deploy/check && $(GO) test $(TEST_FLAGS) ./...

## faults: only the fault, crash, stall, takedown, credential and permission tests, verbose, with their counts
## (they are part of `make test` too)
faults: services
	$(GO) test $(TEST_FLAGS) -v -run 'LosesNothing|Outage|Interrupted|DiesBeforeAcking|Poison|Permissions|TLS|Takedown|Stall' ./test/faults ./test/security ./cmd/tandem ./services/... ./pkg/events 2>&1 \
		| grep -E '^(=== RUN|--- |ok|FAIL|PASS)|verified|injected|lost|leaked|site user'

## services: start local Redis and NATS when they are installed but stopped
services:
	@bash .ci/services

## generate: regenerate the Go code of proto/ (generators come from go.mod and tools/go.mod)
generate:
	cd proto && $(BUF) lint && $(BUF) generate
	$(GO) test ./internal/protoschema -run TestSchemasAreCurrent -update

## check-generated: fail when the committed generated code is stale
check-generated: generate
	@if [ -n "$$(git status --porcelain -- proto docs/schemas)" ]; then \
		echo "generated code in proto/ is stale: run 'make generate' and commit the result"; \
		git status --short -- proto docs/schemas; exit 1; fi

## lint: gofmt, go vet, staticcheck, buf lint, buf breaking against the previous commit,
## the rooms of the code (tools/layout), docs/asyncapi.yaml with the AsyncAPI parser, and deploy/
## (deploy/check: the alert rules and dashboard against the metrics, the Kubernetes overlays, compose)
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags bench ./test/bench
	$(STATICCHECK) ./...
	cd proto && $(BUF) lint
	@if git rev-parse -q --verify HEAD~1 >/dev/null; then \
		cd proto && $(BUF) breaking --against '../.git#ref=HEAD~1,subdir=proto'; \
	else echo "buf breaking: no previous commit to compare with"; fi
	bash tools/layout
	bash tools/asyncapi/check
	cd deploy/check && $(GO) vet ./... && $(STATICCHECK) ./... && $(GO) test -count=1 ./...

## mutation: how much of each domain package, pkg/events and the review checks their own tests
## pin (gremlins); fails below 80% test efficacy. Slow: not part of `make test`
mutation:
	bash tools/mutation

## qa-report: precision and recall of each review check on its corpus
## (services/review/qa/testdata/corpus); fails below 95% recall or on a false finding on correct text
qa-report:
	$(GO) test -count=1 -run '^TestCorpusPrecisionAndRecall$$' -v ./services/review/qa 2>&1 | sed -n 's/^ *corpus_test.go:[0-9]*: //p'

## build: bin/tandem
build:
	$(GO) build -o bin/tandem ./cmd/tandem

## bench: the Go micro-benchmarks (bench.out, for benchstat), then the site, publish and rebuild
## comparisons against nginx, a minimal Go handler and JetStream; writes docs/benchmarks.md
bench: services bench-tools
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./pkg/... ./services/... | tee bench.out
	TANDEM_BENCH_MICRO=$(CURDIR)/bench.out $(GO) test -tags bench -run 'TestBenchReport|TestRedisStallReport' -timeout 60m -v ./test/bench

## bench-tools: wrk and nginx from Debian, when missing
bench-tools:
	@command -v wrk >/dev/null && command -v nginx >/dev/null || \
		{ SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get install -y wrk nginx-light || $$SUDO apt-get install -y wrk nginx; }

## screenshots: the README's pictures of the desk (docs/screenshots, 1280 and 390 pixels wide),
## taken by a browser test against a whole Tandem
screenshots: services
	TANDEM_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' ./services/desk

## lighthouse: Lighthouse (npm, in tools/lighthouse) on both front pages, a section page, an article page and search results of a
## demo Tandem, phone and desktop; prints the scores and writes them into docs/benchmarks.md. A report, not a test
lighthouse:
	bash tools/lighthouse/run lighthouse

## site-screenshots: the public site's pictures in docs/screenshots (site-*.png: both front pages, an article, search results,
## 1280 and 390 pixels wide), taken in headless Chromium against a demo Tandem
site-screenshots:
	bash tools/lighthouse/run screenshots

clean:
	rm -rf bin bench.out
