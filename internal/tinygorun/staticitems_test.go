package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A host program with known package variables: largestStatic finds them, largest first.
func TestLargestStaticListsDataAndBSSObjectsLargestFirst(t *testing.T) {
	exe, _ := buildHostELF(t, `package main

var bigTable [8 << 20]byte // .bss: larger than anything of the runtime's
var midTable = [20000]byte{1} // .data (noptrdata)

func main() { bigTable[1] = midTable[0]; println(len(bigTable)) }
`)

	items, err := largestStatic(exe, 3)
	require.NoError(t, err)
	require.Len(t, items, 3)
	for i := 1; i < len(items); i++ {
		assert.GreaterOrEqual(t, items[i-1].size, items[i].size)
	}
	var names []string
	for _, it := range items {
		names = append(names, it.name)
	}
	assert.Equal(t, "main.bigTable", names[0])
	assert.Equal(t, uint64(8<<20), items[0].size)
	assert.Equal(t, "rt.handlers 496, hal/periph.owners 368", formatItems([]staticItem{
		{"github.com/gohal/gohal/rt.handlers", 496}, {"github.com/gohal/gohal/hal/periph.owners", 368}}))
}

// linkedSymbols finds a symbol by its exact name and by a package prefix ending in ".", and
// nothing for a name the program does not link.
func TestLinkedSymbolsMatchesNamesAndPrefixes(t *testing.T) {
	exe, _ := buildHostELF(t, `package main

var handlerTable [64]func()

func main() { handlerTable[3] = main; println(handlerTable[3] != nil) }
`)

	found, err := linkedSymbols(exe, []string{"main.handlerTable", "main.notLinked"})
	require.NoError(t, err)
	assert.Equal(t, []string{"main.handlerTable"}, found)

	found, err = linkedSymbols(exe, []string{"main."})
	require.NoError(t, err)
	assert.Contains(t, found, "main.main")

	found, err = linkedSymbols(exe, []string{"gohal_trap_vectors", "github.com/gohal/gohal/async."})
	require.NoError(t, err)
	assert.Empty(t, found)
}

// buildHostELF builds a one-file Go program with the host's toolchain and returns the
// executable and its directory; it skips the test where executables are not ELF.
func buildHostELF(t *testing.T, src string) (exe, dir string) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("needs the host's executables to be ELF")
	}
	dir = t.TempDir()
	file := filepath.Join(dir, "main.go")
	require.NoError(t, os.WriteFile(file, []byte(src), 0o644))
	exe = filepath.Join(dir, "prog")
	cmd := exec.Command("go", "build", "-o", exe, file)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GO111MODULE=off")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	return exe, dir
}
