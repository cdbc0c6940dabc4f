# gohal — every target needs only Go (1.23 or newer); nothing else is installed.
GO ?= go
FUZZTIME ?= 30s

.PHONY: all test vet race bench fuzz

all: test

## test: vet everything, run every test (race detector on the concurrent layers).
test: vet
	$(GO) test ./...
	$(GO) test -race ./rt/... ./sim/...

vet:
	$(GO) vet ./...

## bench: every benchmark, with allocation counts.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## fuzz: fuzz the SVD parser for FUZZTIME (default 30s).
fuzz:
	$(GO) test ./svd -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME)
