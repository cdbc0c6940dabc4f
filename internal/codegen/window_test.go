package codegen

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/svd"
)

// windowWords is a 64 MiB memory window of four-byte words.
const windowWords = 1 << 24

// windowSVD is a device whose RAM peripheral holds a register array of words copies at 0
// (reset value reset), two interleaved register arrays of words/2 copies each at
// 0x4000000 that the generator turns into one cluster array (BLOCK[n].LO, .HI), and a
// register derived from the last word.
func windowSVD(words int, reset uint64) []byte {
	return []byte(fmt.Sprintf(`<?xml version="1.0" encoding="utf-8"?>
<device schemaVersion="1.3">
  <name>W</name>
  <width>32</width>
  <size>32</size>
  <peripherals>
    <peripheral>
      <name>RAM</name>
      <baseAddress>0x20000000</baseAddress>
      <addressBlock><offset>0</offset><size>0x8000004</size><usage>buffer</usage></addressBlock>
      <registers>
        <register>
          <dim>%[1]d</dim>
          <dimIncrement>4</dimIncrement>
          <name>MEM[%%s]</name>
          <addressOffset>0</addressOffset>
          <resetValue>%#[3]x</resetValue>
          <fields><field><name>DATA</name><bitRange>[31:0]</bitRange></field></fields>
        </register>
        <register>
          <dim>%[2]d</dim>
          <dimIncrement>8</dimIncrement>
          <name>LO%%s</name>
          <addressOffset>0x4000000</addressOffset>
        </register>
        <register>
          <dim>%[2]d</dim>
          <dimIncrement>8</dimIncrement>
          <name>HI%%s</name>
          <addressOffset>0x4000004</addressOffset>
        </register>
        <register derivedFrom="MEM%[4]d">
          <name>LAST</name>
          <addressOffset>0x8000000</addressOffset>
        </register>
      </registers>
    </peripheral>
  </peripherals>
</device>
`, words, words/2, reset, words-1))
}

// loadWindow parses and resolves windowSVD(words, reset).
func loadWindow(t *testing.T, words int, reset uint64) *svd.Device {
	t.Helper()
	d, diags := svd.Parse("w.svd", windowSVD(words, reset))
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	r, diags := svd.Resolve(d, svd.Options{})
	require.False(t, diags.HasErrors(), "%v", diags.Err())
	return r
}

// buildAndEmit is the generator after the SVD side: Build, then Emit with layout tests.
func buildAndEmit(dev *svd.Device) (*Chip, map[string][]byte) {
	c, err := Build(dev, Options{Pkg: "w"})
	if err != nil {
		panic(err)
	}
	files, err := Emit(c, EmitOptions{Version: "devel", Source: "w.svd", ImportPath: "example.com/w", Tests: true})
	if err != nil {
		panic(err)
	}
	return c, files
}

// allocBytes returns the bytes f allocates.
func allocBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestMemoryWindow: a 64 MiB window generates a Go array of 16,777,216 cells (and of
// 8,388,608 inferred clusters), documented and checked as a whole, with one ranged reset
// entry for a nonzero reset value and none for zero.
func TestMemoryWindow(t *testing.T) {
	for _, reset := range []uint64{0, 0x5a} {
		t.Run(fmt.Sprintf("reset=%#x", reset), func(t *testing.T) {
			c, files := buildAndEmit(loadWindow(t, windowWords, reset))
			require.NoError(t, CheckFormat(files))
			regs := string(files["ram/registers.go"])
			assert.Contains(t, regs, "\tMEM [16777216]MEM\n")
			assert.Contains(t, regs, "MEM is register MEM[%s] (at 0x0, 16777216 × 0x4 bytes).")
			assert.Contains(t, regs, "\tBLOCK [8388608]BLOCK\n", "the interleaved arrays are one cluster array")
			assert.Contains(t, string(files["ram/layout.go"]), "_ = -(unsafe.Sizeof(RAM{}.MEM) ^ 0x4000000)")
			test := string(files["ram/layout_test.go"])
			assert.Contains(t, test, `{"MEM[16777215]", `)
			assert.Contains(t, test, `{"BLOCK[8388607].HI", `)
			assert.Less(t, len(test), 4096, "the layout test lists the first and last element, not every one")

			ram := c.Types[0]
			assert.Equal(t, 2*windowWords+1, countRegs(ram.Block))
			rows := resetRows(ram)
			hostInit, ok := files["init_host.go"]
			if reset == 0 {
				assert.Empty(t, rows)
				assert.False(t, ok, "no reset table when every register resets to zero")
				return
			}
			// LAST, derived from a word, resets to 0x5a too: a row of its own.
			assert.Equal(t, []resetRow{
				{Offset: 0, Value: 0x5a, Bytes: 4, Count: windowWords, Stride: 4},
				{Offset: 0x8000000, Value: 0x5a, Bytes: 4},
			}, rows)
			assert.Contains(t, string(hostInit), "\t{Offset: 0x0, Size: 4, Value: 0x5a, Count: 16777216, Stride: 0x4},\n")
		})
	}
}

// TestMemoryWindowAllocation: building and emitting a package with a 16,777,216-word
// window allocates about what one with a 16-word array does: nothing is made per copy.
func TestMemoryWindowAllocation(t *testing.T) {
	for _, reset := range []uint64{0, 0x5a} {
		t.Run(fmt.Sprintf("reset=%#x", reset), func(t *testing.T) {
			small, big := loadWindow(t, 16, reset), loadWindow(t, windowWords, reset)
			gen := func(d *svd.Device) func() { return func() { buildAndEmit(d) } }
			smallAllocs := testing.AllocsPerRun(3, gen(small))
			bigAllocs := testing.AllocsPerRun(3, gen(big))
			// Sixteen words with a nonzero reset get sixteen rows; the window gets one.
			assert.LessOrEqual(t, bigAllocs, smallAllocs+16, "allocations: %v for 16 words, %v for %d", smallAllocs, bigAllocs, windowWords)
			smallBytes, bigBytes := allocBytes(gen(small)), allocBytes(gen(big))
			t.Logf("16 words: %v allocations, %d bytes; %d words: %v allocations, %d bytes", smallAllocs, smallBytes, windowWords, bigAllocs, bigBytes)
			assert.LessOrEqual(t, bigBytes, smallBytes+64<<10, "bytes allocated: %d for 16 words, %d for %d", smallBytes, bigBytes, windowWords)
		})
	}
}

// TestGenerateWindow runs the whole of Generate (load, build, emit, the statistics) on a
// window file and bounds what it allocates: before arrays were generated without walking
// their copies, this took a minute and gigabytes.
func TestGenerateWindow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.svd")
	require.NoError(t, os.WriteFile(path, windowSVD(windowWords, 0x5a), 0o644))
	var res *Result
	n := allocBytes(func() {
		var err error
		res, err = Generate(Job{SVD: path, Out: t.TempDir(), Import: "example.com/w", Tests: true, Version: "devel"})
		require.NoError(t, err)
	})
	t.Logf("Generate allocated %d bytes", n)
	assert.Less(t, n, uint64(1<<20), "Generate allocated %d bytes", n)
	assert.Equal(t, 2*windowWords+1, res.Registers, "registers counted element by element, without visiting them")
	assert.Less(t, res.Lines, 1000)
}

// TestResetRowsNestedArrays: an array in each copy of a cluster array, both too large for a
// row per copy, gets a ranged row for each copy of the shorter of the two.
func TestResetRowsNestedArrays(t *testing.T) {
	word := &Reg{Name: "WORD", Bits: 32, ResetValue: 1}
	inner := &Struct{Name: "BANK"}
	inner.Members = []*Member{{Name: "WORD", Count: 16384, Stride: 4, Reg: word}}
	layout(inner)
	for _, outer := range []int{8192, 32768} {
		blk := &Struct{Name: "B"}
		blk.Members = []*Member{{Name: "BANK", Count: outer, Stride: 0x10000, Cluster: inner}}
		layout(blk)
		rows := resetRows(&PeriphType{Block: blk})
		if outer < 16384 {
			// One row per bank, ranged over its words.
			require.Len(t, rows, outer)
			assert.Equal(t, resetRow{Offset: 0x10000, Value: 1, Bytes: 4, Count: 16384, Stride: 4}, rows[1])
			continue
		}
		// One row per word index, ranged over the banks.
		require.Len(t, rows, 16384)
		assert.Equal(t, resetRow{Offset: 4, Value: 1, Bytes: 4, Count: outer, Stride: 0x10000}, rows[1])
	}
}

// TestResetRowsOverlap: where registers overlap, the first placed keeps its reset value.
// A single register placed before an array stays in the table (mmio.InitReset writes it after
// the array); one placed after an array's copy is left out.
func TestResetRowsOverlap(t *testing.T) {
	cell := func(name string, reset uint64) *Reg { return &Reg{Name: name, Bits: 32, ResetValue: reset} }
	blk := &Struct{Name: "B"}
	blk.Members = []*Member{
		{Name: "WIN", Offset: 0, Count: 8192, Stride: 4, Reg: cell("WIN", 1), order: 1},
		{Name: "SOLO", Offset: 0x8000, Reg: cell("SOLO", 3), order: 2},
		{Name: "CTRL", Offset: 0x10, Reg: cell("CTRL", 9), order: 3, alt: true},
		{Name: "TAILWIN", Offset: 0x8000, Count: 8192, Stride: 4, Reg: cell("TAILWIN", 4), order: 4, alt: true},
	}
	layout(blk)
	require.Len(t, blk.Accessors, 2, "CTRL overlaps WIN, TAILWIN overlaps SOLO")
	assert.Equal(t, []resetRow{
		{Offset: 0, Value: 1, Bytes: 4, Count: 8192, Stride: 4},
		// CTRL, placed after WIN, is left out: WIN's copy 4 is at 0x10.
		{Offset: 0x8000, Value: 3, Bytes: 4},
		{Offset: 0x8000, Value: 4, Bytes: 4, Count: 8192, Stride: 4},
	}, resetRows(&PeriphType{Block: blk}))
}

// TestWindowIndicesNil: arrays the SVD numbers 0 … n-1 keep no index strings in the IR,
// and their doc comment lists none.
func TestWindowIndicesNil(t *testing.T) {
	c, files := buildAndEmit(loadWindow(t, windowWords, 0))
	for _, m := range c.Types[0].Block.Members {
		assert.Nil(t, m.Indices, "member %s", m.Name)
	}
	assert.NotContains(t, string(files["ram/registers.go"]), "indices")
	assert.True(t, strings.HasPrefix(string(files["ram/registers.go"]), HeaderPrefix))
}
