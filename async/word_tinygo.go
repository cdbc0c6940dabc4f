//go:build tinygo

package async

import (
	"runtime/volatile"
	"sync/atomic"
	"unsafe"

	"github.com/gohal/gohal/rt"
)

// The executor's shared words under TinyGo. The cores TinyGo runs gohal on have no atomic
// instructions (the ESP32-C3 is rv32imc): LLVM turns every sync/atomic operation into a call
// of a runtime function that disables interrupts around a plain access, about ten
// instructions for a Load and thirty for a CompareAndSwap loop. These cores are single-core,
// so an aligned word load is atomic by itself and a read-modify-write is atomic inside a
// critical section (rt.EnterCritical, inlined: two CSR instructions). Volatile accesses
// keep the compiler from moving them out of the section or caching them across calls.
// Everything else that touches these words (sync/atomic elsewhere) also disables
// interrupts, so the two kinds of access mix.

func wordPtr(p *atomic.Uint32) *uint32 { return (*uint32)(unsafe.Pointer(p)) }

func loadWord(p *atomic.Uint32) uint32 { return volatile.LoadUint32(wordPtr(p)) }

func storeWord(p *atomic.Uint32, v uint32) { volatile.StoreUint32(wordPtr(p), v) }

func swapWord(p *atomic.Uint32, v uint32) uint32 {
	cs := rt.EnterCritical()
	old := volatile.LoadUint32(wordPtr(p))
	volatile.StoreUint32(wordPtr(p), v)
	cs.Exit()
	return old
}

// orUint32 sets bits in *p and returns the previous value.
func orUint32(p *atomic.Uint32, bits uint32) uint32 {
	cs := rt.EnterCritical()
	old := volatile.LoadUint32(wordPtr(p))
	if old&bits != bits {
		volatile.StoreUint32(wordPtr(p), old|bits)
	}
	cs.Exit()
	return old
}

// andNotUint32 clears bits in *p and returns the previous value.
func andNotUint32(p *atomic.Uint32, bits uint32) uint32 {
	cs := rt.EnterCritical()
	old := volatile.LoadUint32(wordPtr(p))
	if old&bits != 0 {
		volatile.StoreUint32(wordPtr(p), old&^bits)
	}
	cs.Exit()
	return old
}

// loadExecutor loads an executors entry: one aligned word.
func loadExecutor(p *atomic.Pointer[Executor]) *Executor {
	return (*Executor)(*(*unsafe.Pointer)(unsafe.Pointer(p)))
}
