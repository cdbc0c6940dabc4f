//go:build !tinygo

package async

import (
	"sync"

	"github.com/gohal/gohal/rt"
)

// spinlock guards an async object's state. On the host it is a critical section on the
// simulated core (so no interrupt handler of this core runs inside it, as on the chip) plus
// a mutex, because the state is also reached from goroutines outside the simulated CPU and
// from tests that run no simulator at all.
type spinlock struct{ mu sync.Mutex }

func (l *spinlock) lock() rt.CS {
	cs := rt.EnterCritical()
	l.mu.Lock()
	return cs
}

func (l *spinlock) unlock(cs rt.CS) {
	l.mu.Unlock()
	cs.Exit()
}
