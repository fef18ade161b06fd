# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
BIN := bin/concertation
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
DSFR := node_modules/@gouvfr/dsfr/dist
VENDOR := static/vendor

.PHONY: run build assets test vet fuzz bench bench-national fmt clean

## run: build the assets and the binary, then serve on the embedded PostgreSQL
run: build
	./$(BIN) serve

## build: the single binary, with every asset embedded
build: assets
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./app

## assets: install the npm packages when missing, then build static/dist (tools/assets): the DSFR
## reduced to the components and icons the templates use, fingerprinted, precompressed (br, gzip)
assets: static/dist/manifest.json

node_modules/.package-lock.json: package.json package-lock.json .dsfr.yml
	npm ci --no-audit --no-fund
	@touch $@

static/dist/manifest.json: node_modules/.package-lock.json tools/assets/*.go $(wildcard views/*.html views/*/*.html static/css/* static/js/* app/web/*.go)
	rm -rf $(VENDOR)
	$(GO) run ./tools/assets

## test: vet, a short fuzzing run, then every test (real PostgreSQL started by the tests themselves)
test: assets vet fuzz
	$(GO) test -count=1 -timeout 9m ./...
	# The copy of the listing that lists walk is read while it is replaced: its tests under the race detector.
	$(GO) test -race -count=1 -run 'Mirror' ./app/query

## fuzz: each fuzz target for FUZZTIME, one after the other (their seed corpora run in every go test).
## A target is Name (in ./app/fuzz) or ./package:Name:fuzztime; FuzzFormRoutes (every form of the site,
## on PostgreSQL) and FuzzQueryRoutes (every GET page with a fuzzed query parameter) run fewer inputs. Budgets are counts of inputs, not durations: with a duration, Go 1.26's
## coordinator can report "context deadline exceeded" when a loaded machine slows its workers (go.dev/issue/75804).
FUZZ_TARGETS := FuzzRenderBody FuzzParseListQuery FuzzContributionForm FuzzArgumentForm FuzzReportForm FuzzHideForm \
	./app/web:FuzzFormRoutes:1000x ./app/web:FuzzQueryRoutes:1000x
FUZZTIME ?= 30000x
fuzz:
	@set -e; for spec in $(FUZZ_TARGETS); do \
	  pkg=./app/fuzz; t=$$spec; time=$(FUZZTIME); \
	  case $$spec in ./*:*:*) pkg=$${spec%%:*}; t=$${spec#*:}; time=$${t#*:}; t=$${t%%:*};; esac; \
	  echo "fuzz $$t in $$pkg ($$time)"; \
	  $(GO) test -run='^$$' -fuzz="^$$t\$$" -fuzztime=$$time -fuzzminimizetime=1s $$pkg; \
	done

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on: $$out"; exit 1; fi
	$(GO) vet ./...

## bench: the benchmarks of the issues (not tests: they print figures)
bench: build
	$(GO) run ./bench

## bench-national: 1,000,000 contributions and 10,000,000 supports (seeded once into
## data-bench/, about 20 minutes), the real program under mixes of what people do
bench-national: build
	$(GO) build -o bin/bench ./bench
	./bin/bench -only national

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin $(VENDOR) static/dist
