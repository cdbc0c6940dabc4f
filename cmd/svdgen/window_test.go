package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const windowSVD = "../../golden/testdata/window.svd"

// TestGenMemoryWindow generates the window fixture (a 16,777,216-word register array, an
// 8,388,608-copy cluster array, arrays of 10^5 copies with nonzero resets) into a user
// module with bounded allocation, and, unless -short, builds, vets and tests the packages
// and runs a program that uses the 64 MiB window on the host bus.
func TestGenMemoryWindow(t *testing.T) {
	dir := userModule(t)
	out := filepath.Join(dir, "pac", "window")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	code, _, errOut := runCmd("gen", "-tests", "-o", out, windowSVD)
	runtime.ReadMemStats(&after)
	require.Equal(t, 0, code, errOut)
	// Before gen stopped walking every copy of an array, this was about 10 GB. Now most of
	// it (some 10 MB) is the SVD validator's overlap check, which lays out arrays of up to
	// 65,536 copies copy by copy: CAM's two banks of 16,384 words.
	alloc := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, alloc, uint64(32<<20), "svdgen gen allocated %d bytes", alloc)
	assert.Contains(t, errOut, "window.svd → ")
	assert.Contains(t, errOut, "3 packages, 33914885 registers", "registers counted element by element")

	regs, err := os.ReadFile(filepath.Join(out, "ram", "registers.go"))
	require.NoError(t, err)
	assert.Contains(t, string(regs), "\tMEM [16777216]MEM\n")
	assert.Contains(t, string(regs), "\tPAIR [8388608]PAIR\n")
	host, err := os.ReadFile(filepath.Join(out, "init_host.go"))
	require.NoError(t, err)
	assert.Contains(t, string(host), "{Offset: 0x0, Size: 4, Value: 0x80000000, Count: 131072, Stride: 0x4},")
	assert.NotContains(t, string(host), "ramResets", "RAM resets to zero: no table")
	assert.Less(t, len(host), 2048)

	if testing.Short() {
		return
	}
	use := filepath.Join(dir, "cmd", "use")
	require.NoError(t, os.MkdirAll(use, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(use, "main.go"), []byte(`package main

import (
	"fmt"

	window "example.com/fw/pac/window"
)

func main() {
	window.RAM.MEM[16777215].Write(0x1234)
	window.RAM.PAIR[8388607].HI.Write(7)
	fmt.Printf("%#x %#x %#x %#x\n", window.RAM.MEM[16777215].Read(), window.RAM.PAIR[8388607].HI.Read(),
		window.CAM.TAG[131071].Read(), window.CAM.BANK[1].WORD[16383].Read())
}
`), 0o644))
	goCmd := func(args ...string) string {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		b, err := cmd.CombinedOutput()
		require.NoError(t, err, "go %s in the user module:\n%s", strings.Join(args, " "), b)
		return string(b)
	}
	goCmd("vet", "./...")
	goCmd("test", "./...")
	assert.Equal(t, "0x1234 0x7 0x80000000 0xffffffff\n", goCmd("run", "./cmd/use"))
}
