package svd

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// windowWords is the memory window: 16,777,216 four-byte words, 64 MiB.
const windowWords = 1 << 24

// windowSVD is a device with a RAM peripheral holding a register array of dim words at
// 0x20000000 (the window), a cluster array of dim/2 two-word copies at 0x24000000, and a
// register that derives from one copy of the window by name.
func windowSVD(dim uint32, dimIndex string) []byte {
	idx := ""
	if dimIndex != "" {
		idx = "<dimIndex>" + dimIndex + "</dimIndex>"
	}
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
          <dim>%d</dim>
          <dimIncrement>4</dimIncrement>%s
          <name>MEM[%%s]</name>
          <addressOffset>0</addressOffset>
          <fields><field><name>DATA</name><bitRange>[31:0]</bitRange></field></fields>
        </register>
        <cluster>
          <dim>%d</dim>
          <dimIncrement>8</dimIncrement>
          <name>PAIR[%%s]</name>
          <addressOffset>0x4000000</addressOffset>
          <register><name>LO</name><addressOffset>0</addressOffset></register>
          <register><name>HI</name><addressOffset>4</addressOffset></register>
        </cluster>
        <register derivedFrom="MEM%d">
          <name>LAST</name>
          <addressOffset>0x8000000</addressOffset>
        </register>
      </registers>
    </peripheral>
  </peripherals>
</device>
`, dim, idx, dim/2, dim-1))
}

// TestMemoryWindow: a register array of 16,777,216 words (a 64 MiB window) resolves as one
// node with no index strings, in lenient and strict mode, and counts as what it is.
func TestMemoryWindow(t *testing.T) {
	for _, dimIndex := range []string{"", "0-16777215"} {
		t.Run("dimIndex="+dimIndex, func(t *testing.T) {
			d, diags := Parse("w.svd", windowSVD(windowWords, dimIndex))
			require.Empty(t, diags)
			for _, strict := range []bool{false, true} {
				r, diags := Resolve(d, Options{Strict: strict})
				require.Empty(t, diags, "strict=%v:\n%s", strict, diagText(diags))
				require.Len(t, r.Peripherals, 1)
				p := r.Peripherals[0]
				require.Len(t, p.Registers, 3, "the window is one node, not one per copy")

				mem := p.Registers[0].(*Register)
				assert.Equal(t, "MEM[%s]", mem.Name)
				assert.Nil(t, mem.Dim.Indices, "no index string per copy")
				assert.Equal(t, windowWords, mem.Dim.Len())
				assert.Equal(t, "0", mem.Dim.Index(0))
				assert.Equal(t, "16777215", mem.Dim.Index(windowWords-1))
				assert.Equal(t, windowWords, Count(mem))
				assert.Len(t, mem.Fields, 1)

				pair := p.Registers[1].(*Cluster)
				assert.Nil(t, pair.Dim.Indices)
				assert.Equal(t, windowWords/2, pair.Dim.Len())
				assert.Len(t, pair.Children, 2)

				// derivedFrom names copy 16777215 of the window: its fields are taken.
				last := p.Registers[2].(*Register)
				assert.Len(t, last.Fields, 1)
				assert.False(t, last.Dim.Dim.Set)

				s := r.Count()
				assert.Equal(t, Stats{Peripherals: 1, Registers: 2*windowWords + 1, Fields: windowWords + 1}, s)
			}
		})
	}
}

// TestMemoryWindowAllocation: resolving a 16,777,216-element array allocates no more than
// resolving a 16-element one: nothing is allocated per copy, in Resolve or in Validate.
func TestMemoryWindowAllocation(t *testing.T) {
	small, diags := Parse("s.svd", windowSVD(16, ""))
	require.Empty(t, diags)
	big, diags := Parse("b.svd", windowSVD(windowWords, ""))
	require.Empty(t, diags)
	resolve := func(d *Device) func() {
		return func() {
			if _, ds := Resolve(d, Options{}); len(ds) != 0 {
				panic(ds.Err())
			}
		}
	}
	// Sixteen copies get their sixteen (and eight) index strings, which a window does not.
	smallAllocs := testing.AllocsPerRun(5, resolve(small))
	bigAllocs := testing.AllocsPerRun(5, resolve(big))
	assert.LessOrEqual(t, bigAllocs, smallAllocs, "allocations: %v for 16 copies, %v for %d", smallAllocs, bigAllocs, windowWords)

	smallBytes, bigBytes := allocBytes(resolve(small)), allocBytes(resolve(big))
	assert.LessOrEqual(t, bigBytes, smallBytes+4096, "bytes allocated: %d for 16 copies, %d for %d", smallBytes, bigBytes, windowWords)

	// The same for the malformed cases, refused before anything is made per copy: a dim of
	// four billion words, and a peripheral array or a field array of 16,777,216 copies.
	for name, src := range map[string]string{
		"four billion words": `<register><dim>4000000000</dim><dimIncrement>4</dimIncrement><name>M[%s]</name><addressOffset>0</addressOffset></register>`,
		"field array":        `<register><name>R</name><addressOffset>0</addressOffset><fields><field><dim>16777216</dim><dimIncrement>0</dimIncrement><name>F%s</name><bitRange>[0:0]</bitRange></field></fields></register>`,
		"peripheral array":   ``,
	} {
		t.Run(name, func(t *testing.T) {
			dim := ""
			if src == "" {
				dim = "<dim>16777216</dim><dimIncrement>4</dimIncrement>"
			}
			d, diags := Parse("m.svd", []byte(`<device><name>M</name><size>32</size><peripherals><peripheral>`+dim+
				`<name>P%s</name><baseAddress>0</baseAddress><registers>`+src+`</registers></peripheral></peripherals></device>`))
			require.Empty(t, diags)
			var rd Diagnostics
			n := allocBytes(func() { _, rd = Resolve(d, Options{}) })
			require.True(t, rd.HasErrors(), "no error for %s", name)
			assert.Less(t, n, uint64(64<<10), "%d bytes allocated refusing %s:\n%s", n, name, diagText(rd))
		})
	}
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

// TestSpanHits checks the overlap arithmetic of windows against copy-by-copy comparison.
func TestSpanHits(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	brute := func(s *span, lo, hi uint64) bool {
		for i := uint64(0); i < s.count; i++ {
			a := s.off + i*s.stride
			if a < hi && lo < a+s.size {
				return true
			}
		}
		return false
	}
	rnd := func() span {
		return span{off: uint64(rng.Intn(60)), size: uint64(1 + rng.Intn(6)), stride: uint64(rng.Intn(12)), count: uint64(1 + rng.Intn(12))}
	}
	for k := 0; k < 20000; k++ {
		s, x := rnd(), rnd()
		lo := uint64(rng.Intn(200))
		hi := lo + 1 + uint64(rng.Intn(20))
		require.Equal(t, brute(&s, lo, hi), s.hits(lo, hi), "span %+v, [%d, %d)", s, lo, hi)
		want := false
		for i := uint64(0); i < x.count && !want; i++ {
			a := x.off + i*x.stride
			want = brute(&s, a, a+x.size)
		}
		work := 1 << 20
		require.Equal(t, want, meets(&s, &x, &work), "spans %+v and %+v", s, x)
	}
}
