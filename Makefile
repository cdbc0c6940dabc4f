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
	$(GO) test ./svd -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s

# ---- generated code (svdgen gen) ----
PAC_CHIPS ?= esp32c3 esp32c6 esp32s3 esp32c2 esp32h2 esp32s2 esp32
ESP_SVD ?= ../shared/svd/espressif

.PHONY: pac corpus asmcheck

## pac: regenerate the committed ESP32 PACs (pac/<chip>, with layout tests) from $(ESP_SVD).
pac:
	$(GO) run ./cmd/svdgen gen -tests -o pac $(patsubst %,$(ESP_SVD)/%.svd,$(PAC_CHIPS))

## corpus: generate a package for every SVD in ../shared/svd that resolves, build and vet them
## all (in .corpus/, its own module), check gofmt, and print a table. CORPUSFLAGS=-test also
## runs every layout test; -only REGEXP narrows the files.
CORPUSFLAGS ?=
corpus:
	$(GO) run ./internal/corpus -svd ../shared/svd -o .corpus $(CORPUSFLAGS)

## asmcheck: the zero-cost check alone: generated Modify/Write compile to one load, one store.
asmcheck:
	$(GO) test ./golden -run TestZeroCost -v
