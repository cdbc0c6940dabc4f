//go:build tinygo

package async

import (
	"sync/atomic"
	"unsafe"

	"github.com/gohal/gohal/rt"
)

// The executor's shared words under TinyGo. The cores TinyGo runs gohal on have no atomic
// instructions (the ESP32-C3 is rv32imc): LLVM turns every sync/atomic operation into a call
// of a runtime function that disables interrupts around a plain access, about ten
// instructions for a Load and thirty for a CompareAndSwap loop. These cores are single-core,
// so an aligned word load is atomic by itself and a read-modify-write is atomic inside a
// critical section (rt.EnterCritical, inlined: two CSR instructions). The accesses are plain
// loads and stores: TinyGo emits the CSR instructions as inline assembly with side effects,
// which LLVM treats as reading and writing memory, so no access moves out of the section,
// and no load is cached across a call (an interrupt handler's changes reach the executor
// through calls: the poll, WaitForInterrupt, the sections themselves). runtime/volatile
// would do the same at the cost of a call each: at -opt=z it is not inlined. Everything
// else that touches these words (sync/atomic elsewhere) also disables interrupts, so the
// two kinds of access mix. //go:inline makes TinyGo inline the helpers whatever -opt says.

//go:inline
func wordPtr(p *atomic.Uint32) *uint32 { return (*uint32)(unsafe.Pointer(p)) }

//go:inline
func loadWord(p *atomic.Uint32) uint32 { return *wordPtr(p) }

//go:inline
func storeWord(p *atomic.Uint32, v uint32) { *wordPtr(p) = v }

//go:inline
func swapWord(p *atomic.Uint32, v uint32) uint32 {
	cs := rt.EnterCritical()
	old := *wordPtr(p)
	*wordPtr(p) = v
	cs.Exit()
	return old
}

// orUint32 sets bits in *p and returns the previous value.
//
//go:inline
func orUint32(p *atomic.Uint32, bits uint32) uint32 {
	cs := rt.EnterCritical()
	old := *wordPtr(p)
	if old&bits != bits {
		*wordPtr(p) = old | bits
	}
	cs.Exit()
	return old
}

// queueBits sets bit in *ready and then sum in *summary, unless bit was set already, in one
// critical section (Executor.wake's two read-modify-writes, which were two). It reports
// whether the executor must be pended: it set bit and *summary was 0 before. (One result,
// not two: LLVM does not fold a pair of flags computed before the section's closing CSR
// write, and tested both on every wake.)
//
//go:inline
func queueBits(ready *atomic.Uint32, bit uint32, summary *atomic.Uint32, sum uint32) (pend bool) {
	cs := rt.EnterCritical()
	r := *wordPtr(ready)
	if r&bit == 0 {
		*wordPtr(ready) = r | bit
		s := *wordPtr(summary)
		if s&sum == 0 {
			*wordPtr(summary) = s | sum
		}
		pend = s == 0
	}
	cs.Exit()
	return pend
}

// andNotUint32 clears bits in *p and returns the previous value.
//
//go:inline
func andNotUint32(p *atomic.Uint32, bits uint32) uint32 {
	cs := rt.EnterCritical()
	old := *wordPtr(p)
	if old&bits != 0 {
		*wordPtr(p) = old &^ bits
	}
	cs.Exit()
	return old
}

// loadPointer loads an atomic.Pointer (an executors entry, the time driver): one aligned
// word, not a call of the runtime's __atomic_load_4 and its critical section.
//
//go:inline
func loadPointer[T any](p *atomic.Pointer[T]) *T {
	return (*T)(*(*unsafe.Pointer)(unsafe.Pointer(p)))
}

// highBit returns the index of the highest bit set in x (not 0). bits.Len32 becomes about
// 25 instructions on a core without a count-leading-zeros instruction (rv32imc); a summary
// word has a few low bits, which this finds in about ten.
func highBit(x uint32) uint32 {
	if x < 16 {
		return uint32(high4[x]) // the summary of a table of up to 32 tasks
	}
	n := uint32(0)
	if x >= 1<<16 {
		x >>= 16
		n = 16
	}
	if x >= 1<<8 {
		x >>= 8
		n += 8
	}
	if x >= 1<<4 {
		x >>= 4
		n += 4
	}
	return n + uint32(high4[x&15])
}

// high4[x] is the index of the highest bit set in x, for x in 1..15.
var high4 = [16]uint8{0, 0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3}
