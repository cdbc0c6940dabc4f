# gohal — every target but `tinygo` needs only Go (1.23 or newer); nothing else is installed.
GO ?= go
FUZZTIME ?= 30s

.PHONY: all test test-pac vet tidy race bench bench-chip fuzz tinygo qemu-c3

all: test

## test: go.mod tidy, vet everything, run every test (race detector on the concurrent layers).
## Of the generated PACs it runs pac/esp32c3's layout tests and the freshness check; every
## other PAC's layout is proved when vet compiles its layout.go, and `make test-pac` runs
## all their layout tests too (linking ~400 test binaries is most of a cold run's time).
test: tidy vet
	$(GO) test $$($(GO) list ./... | grep -v '/pac/') ./pac/esp32c3/...
	@$(MAKE) --no-print-directory race

## test-pac: every generated PAC's layout tests.
test-pac:
	$(GO) test ./pac/...

## vet: gofmt (no file it would change), go vet, then gohalvet (cmd/gohalvet: gohal's own
## analyzers) on everything.
vet:
	@out=$$("$$($(GO) env GOROOT)/bin/gofmt" -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')); \
		if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run ./cmd/gohalvet ./...

## tidy: fail when go.mod or go.sum is not what `go mod tidy` would make it.
tidy:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

## race: the race detector on the concurrent layers, where this machine has one (it needs
## cgo and a supported GOOS/GOARCH); elsewhere it says so and passes.
RACE_PKGS ?= ./rt/... ./sim/... $(if $(wildcard async),./async/...) $(if $(wildcard hal),./hal/...)
race:
	@if $(GO) build -race -o /dev/null ./rt/mmio 2>/dev/null; then \
		echo "$(GO) test -race $(RACE_PKGS)"; $(GO) test -race $(RACE_PKGS); \
	else echo "race: skipped, the race detector is not available on this machine"; fi

## tinygo: what only the real compiler can check (internal/tinygorun): every example and
## firmware package built for -target=esp32c3 with sizes, the flash of the first straight-line
## task (task-cost), PACs generated from vendor SVDs run
## on QEMU (FE310, STM32F4), the ESP32-C3 examples on Espressif's QEMU against the simulator,
## the wake and alarm paths' instructions from QEMU instruction traces (wake-trace), and the layout
## tests run on a 32-bit RISC-V core. Uses $$TINYGO or tinygo on PATH, and
## skips with a message when there is neither:
##   TINYGO=$$(../shared/tools/tinygo-setup) make tinygo
tinygo:
	$(GO) run ./internal/tinygorun $(TINYGOFLAGS)

## qemu-c3: that step alone: the ESP32-C3 examples built with TinyGo, booted on Espressif's
## QEMU ($$QEMU_C3, esp32c3-qemu on PATH, or what ../shared/tools/qemu-esp32c3-setup installs)
## and their UART0 transcripts compared with the simulator's. QEMUC3FLAGS narrows and keeps:
##   make qemu-c3 QEMUC3FLAGS='-c3=echo -c3-keep=/tmp/c3'
QEMUC3FLAGS ?=
qemu-c3:
	$(GO) run ./internal/tinygorun -only '^qemu-c3$$' $(QEMUC3FLAGS)

## bench-chip: the chip's figures (needs TinyGo and Espressif's QEMU, as make tinygo does):
## examples/latency's wake and alarm latencies on QEMU, and the wake and alarm paths counted
## instruction by instruction from QEMU traces, function by function.
bench-chip:
	$(GO) run ./internal/tinygorun -only '^(qemu-c3|wake-trace)$$' -c3='^latency$$'

## bench: every benchmark, with allocation counts.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## fuzz: fuzz the SVD parser for FUZZTIME (default 30s).
fuzz:
	$(GO) test ./svd -run='^$$' -fuzz=FuzzParse -fuzztime=$(FUZZTIME) -fuzzminimizetime=5s

# ---- generated code (svdgen gen) ----
PAC_CHIPS ?= esp32c3 esp32c6 esp32s3 esp32c2 esp32h2 esp32s2 esp32
ESP_SVD ?= ../shared/svd/espressif
# The two chips QEMU emulates, whose PACs `make tinygo` runs: SiFive FE310 (sifive_e) and
# STM32F407 (netduino2's STM32F205 shares its USART1 and RCC).
QEMU_SVDS ?= ../shared/svd/sifive/e310x.svd ../shared/svd/stmicro/STM32F407.svd

.PHONY: pac corpus asmcheck

## pac: regenerate the committed PACs (pac/<chip>, with layout tests): the ESP32 family from
## $(ESP_SVD), and the FE310 and STM32F407 that `make tinygo` runs on QEMU.
pac:
	$(GO) run ./cmd/svdgen gen -tests -o pac $(patsubst %,$(ESP_SVD)/%.svd,$(PAC_CHIPS)) $(QEMU_SVDS)

## corpus: generate a package for every SVD in ../shared/svd that resolves, build and vet them
## all (in .corpus/, its own module), check gofmt, and print a table. CORPUSFLAGS=-test also
## runs every layout test; -only REGEXP narrows the files.
CORPUSFLAGS ?=
corpus:
	$(GO) run ./internal/corpus -svd ../shared/svd -o .corpus $(CORPUSFLAGS)

## asmcheck: the zero-cost check alone: generated Modify/Write compile to one load, one store.
asmcheck:
	$(GO) test ./golden -run TestZeroCost -v
