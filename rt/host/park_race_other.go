//go:build !tinygo && race && !linux

package host

import (
	"runtime"
	"time"
)

// Without futexes the race build polls the flag: yielding at first, then sleeping with a
// growing pause. Neither creates a happens-before edge; the price is latency and some CPU.

func (p *parker) wait(i int) {
	if i < 50 {
		runtime.Gosched()
		return
	}
	d := time.Duration(i-49) * 10 * time.Microsecond
	if d > time.Millisecond {
		d = time.Millisecond
	}
	time.Sleep(d)
}

func (p *parker) wake() {}
