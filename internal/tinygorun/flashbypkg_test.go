package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPackageOfSymbolAndFile(t *testing.T) {
	for sym, want := range map[string]string{
		"github.com/gohal/gohal/hal/uart$string.3":             "hal/uart",
		"(*github.com/gohal/gohal/hal/uart.drv).Write":         "hal/uart",
		"github.com/gohal/gohal/hal/periph.kindNames":          "hal/periph",
		"reflect/types.type:named:errors.errorString":          "type descriptors",
		"runtime$string.70":                                    "runtime",
		"runtime/interrupt$string.7":                           "runtime/interrupt",
		"main$string":                                          "main",
		"github.com/gohal/gohal/examples/internal/chipstart.x": "examples/internal/chipstart",
	} {
		assert.Equal(t, want, packageOfSymbol(sym), sym)
	}
	for file, want := range map[string]string{
		"/root/go/pkg/mod/github.com/gohal/gohal@v0.1.0/hal/uart/uart.go": "hal/uart",
		"/work/main/hal/uart/uart.go":                                     "hal/uart",
		"/work/main/examples/echo/main.go":                                "examples/echo",
		"/root/.cache/tinygo-0.33.0/src/runtime/gc_blocks.go":             "runtime",
		"/usr/lib/go/src/sync/atomic/doc.go":                              "sync/atomic",
	} {
		assert.Equal(t, want, packageOfFile(file), file)
	}
}

// A host program with one large function: its code is attributed to its package (the
// directory of its source, no marker in the path), the runtime's to runtime, largest first.
func TestFlashByPackageAttributesCodeToSourcePackages(t *testing.T) {
	exe, dir := buildHostELF(t, `package main

import "os"

//go:noinline
func big(x int) int {
	switch x {
	case 1: x = x*7 + 3
	case 2: x = x*9 + 5
	case 3: x = x*11 + 7
	case 4: x = x*13 + 9
	case 5: x = x*17 + 11
	}
	for i := 0; i < x; i++ { x ^= i << 3; x += i * 5 }
	return x
}

func main() { os.Exit(big(len(os.Args)) & 1) }
`)

	pkgs, err := flashByPackage(exe)
	require.NoError(t, err)
	got := map[string]uint64{}
	for i, p := range pkgs {
		got[p.pkg] = p.bytes
		if i > 0 {
			require.GreaterOrEqual(t, pkgs[i-1].bytes, p.bytes, "largest first")
		}
	}
	assert.Greater(t, got["runtime"], uint64(10_000), "the Go runtime's code")
	assert.Greater(t, got[filepath.ToSlash(dir)], uint64(60), "main's code, by its directory: %v", formatPackages(pkgs, 10))
}
