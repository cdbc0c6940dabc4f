//go:build !tinygo && !mmio_plain

package mmio

import (
	"sync"
	"testing"
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
