//go:build !tinygo

package async

import (
	"math/bits"
	"sync/atomic"
)

// The executor's shared words (ready queue, summary, slot headers) on the host: sync/atomic,
// which the race detector understands, and which other goroutines (other simulated cores,
// goroutines outside the simulated CPU) need. word_tinygo.go has the chip's version.

func loadWord(p *atomic.Uint32) uint32 { return p.Load() }

func storeWord(p *atomic.Uint32, v uint32) { p.Store(v) }

func swapWord(p *atomic.Uint32, v uint32) uint32 { return p.Swap(v) }

// orUint32 sets bits in *p and returns the previous value; when they are all set already it
// only loads.
func orUint32(p *atomic.Uint32, bits uint32) uint32 {
	for {
		old := p.Load()
		if old&bits == bits || p.CompareAndSwap(old, old|bits) {
			return old
		}
	}
}

// queueBits sets bit in *ready and then sum in *summary, unless bit was set already. It
// reports whether the executor must be pended: it set bit and *summary was 0 before. (Two
// atomic operations: a wake between them finds bit set and leaves, and the summary bit
// follows at once.)
func queueBits(ready *atomic.Uint32, bit uint32, summary *atomic.Uint32, sum uint32) (pend bool) {
	if orUint32(ready, bit)&bit != 0 {
		return false
	}
	return orUint32(summary, sum) == 0
}

// andNotUint32 clears bits in *p and returns the previous value; when none is set it only
// loads.
func andNotUint32(p *atomic.Uint32, bits uint32) uint32 {
	for {
		old := p.Load()
		if old&bits == 0 || p.CompareAndSwap(old, old&^bits) {
			return old
		}
	}
}

func loadPointer[T any](p *atomic.Pointer[T]) *T { return p.Load() }

// highBit returns the index of the highest bit set in x (not 0).
func highBit(x uint32) uint32 { return uint32(bits.Len32(x) - 1) }
