//go:build !tinygo && !mmio_plain

package mmio

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type block struct {
	A U32
	B U8
	C U8
	D U16
	E U64
}

type recorder struct {
	mu     sync.Mutex
	writes []uint64
	value  uint64
}

func (r *recorder) Read(addr uintptr, size int) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.value
}
func (r *recorder) Write(addr uintptr, size int, v uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, uint64(addr)<<8|v)
}

func TestMemoryAndResets(t *testing.T) {
	b := At[block](0x6000_1000)
	InitReset(0x6000_1000, []Reset{{Offset: 0, Size: 4, Value: 0xdeadbeef}, {Offset: 5, Size: 1, Value: 0x7f}})
	if got := b.A.Load(); got != 0xdeadbeef {
		t.Fatalf("A reset = %#x", got)
	}
	if got := b.C.Load(); got != 0x7f {
		t.Fatalf("C reset = %#x", got)
	}
	b.B.Store(0x12)
	b.D.Store(0xabcd)
	if b.B.Load() != 0x12 || b.C.Load() != 0x7f || b.D.Load() != 0xabcd {
		t.Fatalf("sub-word stores clobbered neighbours: %#x %#x %#x", b.B.Load(), b.C.Load(), b.D.Load())
	}
	b.E.Store(1 << 40)
	if Peek(0x6000_1008, 8) != 1<<40 {
		t.Fatal("Peek does not see the 64-bit store")
	}
	ResetMemory()
	if b.A.Load() != 0xdeadbeef || b.B.Load() != 0 || b.E.Load() != 0 {
		t.Fatalf("ResetMemory: A=%#x B=%#x E=%#x", b.A.Load(), b.B.Load(), b.E.Load())
	}
}

func TestHookRoutesRange(t *testing.T) {
	defer ResetMemory()
	b := At[block](0x6000_2000)
	r := &recorder{value: 42}
	unhook := Hook(0x6000_2004, 0x6000_2008, r)
	b.A.Store(1) // not hooked: memory
	b.B.Store(7) // hooked
	if b.A.Load() != 1 || b.B.Load() != 42 {
		t.Fatalf("A=%d B=%d", b.A.Load(), b.B.Load())
	}
	if len(r.writes) != 1 || r.writes[0] != 0x6000_2004<<8|7 {
		t.Fatalf("writes = %#x", r.writes)
	}
	unhook()
	if b.B.Load() != 0 {
		t.Fatal("after unhook, B should read memory")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("overlapping hooks must panic")
			}
		}()
		Hook(0x6000_2000, 0x6000_2010, r)
		Hook(0x6000_200c, 0x6000_2020, r)
	}()
}

func TestObserverSeesUnhookedAccess(t *testing.T) {
	defer ResetMemory()
	var seen []uintptr
	SetObserver(func(addr uintptr, size int, write bool) { seen = append(seen, addr) })
	At[block](0x6000_3000).D.Store(1)
	if len(seen) != 1 || seen[0] != 0x6000_3006 {
		t.Fatalf("seen = %#x", seen)
	}
}

func BenchmarkRegisterLoadStore(b *testing.B) {
	r := At[block](0x6000_4000)
	for i := 0; i < b.N; i++ {
		r.A.Store(r.A.Load() | 1)
	}
}

func TestResetRangeRestoresOnlyItsRange(t *testing.T) {
	defer ResetMemory()
	b := At[block](0x6000_5000)
	next := At[block](0x6000_5010)
	InitReset(0x6000_5000, []Reset{{Offset: 0, Size: 4, Value: 0x11}, {Offset: 5, Size: 1, Value: 0x22}})
	b.A.Store(0xFFFF)
	b.B.Store(0x33)
	b.C.Store(0x44)
	b.E.Store(0x55)
	next.A.Store(0x66)
	ResetRange(0x6000_5000, 0x6000_5010)
	if b.A.Load() != 0x11 || b.B.Load() != 0 || b.C.Load() != 0x22 || b.E.Load() != 0 {
		t.Fatalf("after ResetRange: A=%#x B=%#x C=%#x E=%#x, want 0x11 0 0x22 0", b.A.Load(), b.B.Load(), b.C.Load(), b.E.Load())
	}
	if next.A.Load() != 0x66 {
		t.Fatal("ResetRange touched memory outside its range")
	}
}

// window is a 64 MiB memory window of words, as a generated PAC declares one.
type window struct{ W [16 << 20]U32 }

// TestAtWindowAllocatesNothing: placing a 64 MiB register block allocates nothing; the block
// is only an address inside the bus's reservation.
func TestAtWindowAllocatesNothing(t *testing.T) {
	defer ResetMemory()
	var w *window
	allocs := testing.AllocsPerRun(10, func() { w = At[window](0x2000_0000) })
	assert.Zero(t, allocs)
	w.W[16<<20-1].Store(0x1234)
	assert.Equal(t, uint64(0x1234), Peek(0x2000_0000+64<<20-4, 4))
	require.Panics(t, func() { At[window](AddressSpace - 32<<20) }, "a window past the 4 GiB space")
}

// TestArrayResets: an entry with a Count is the reset value of every copy, written at
// InitReset and again by ResetMemory and (for the copies inside) ResetRange; a single
// register at the address of a copy keeps its own value.
func TestArrayResets(t *testing.T) {
	defer ResetMemory()
	const base, n = 0x6100_0000, 100_000
	type tags struct {
		T [n]struct{ V, X U32 }
	}
	b := At[tags](base)
	InitReset(base, []Reset{
		{Offset: 0, Size: 4, Value: 0xaa, Count: n, Stride: 8},
		{Offset: 16, Size: 4, Value: 0x55},                     // copy 2
		{Offset: 4, Size: 4, Value: 0x77, Count: 3, Stride: 0}, // no stride: one register
	})
	check := func(when string, want map[int]uint32) {
		t.Helper()
		for i, v := range want {
			assert.Equal(t, v, b.T[i].V.Load(), "%s: copy %d", when, i)
		}
		assert.Equal(t, uint32(0x77), b.T[0].X.Load(), "%s: the entry without a stride", when)
	}
	check("InitReset", map[int]uint32{0: 0xaa, 1: 0xaa, 2: 0x55, 3: 0xaa, n - 1: 0xaa})
	assert.Zero(t, Peek(base+8*n, 4), "nothing past the last copy")

	for i := 0; i < 8; i++ {
		b.T[i].V.Store(1)
	}
	b.T[n-1].V.Store(1)
	// [base+0x1c, base+0x2c): copies 4 (at 0x20) and 5 (0x28) are inside; 3 (0x18) is not.
	ResetRange(base+0x1c, base+0x2c)
	check("ResetRange", map[int]uint32{2: 1, 3: 1, 4: 0xaa, 5: 0xaa, 6: 1, n - 1: 1})

	ResetMemory()
	check("ResetMemory", map[int]uint32{0: 0xaa, 2: 0x55, 3: 0xaa, 4: 0xaa, 6: 0xaa, n - 1: 0xaa})
}
