//go:build !tinygo

package async

import (
	"runtime"
	"sync/atomic"

	"github.com/gohal/gohal/rt"
)

// spinlock guards an async object's state. On the host it is a critical section on the
// simulated core (so no interrupt handler of this core runs inside it, as on the chip) plus
// a spin lock, because the state is also reached from goroutines outside the simulated CPU
// and from tests that run no simulator at all. Sections are a few dozen instructions, so
// spinning (yielding the processor between attempts) beats a sync.Mutex's bookkeeping; the
// race detector sees the CompareAndSwap/Store pair as the acquire/release it is.
type spinlock struct{ held atomic.Uint32 }

func (l *spinlock) lock() rt.CS {
	cs := rt.EnterCritical()
	for !l.held.CompareAndSwap(0, 1) {
		runtime.Gosched()
	}
	return cs
}

func (l *spinlock) unlock(cs rt.CS) {
	l.held.Store(0)
	cs.Exit()
}
