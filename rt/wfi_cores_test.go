//go:build !tinygo

package rt_test

import (
	"sync/atomic"
	"testing"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
)

// A core sleeping in WaitForInterrupt inside a critical section (check-then-sleep, as
// thread-mode executors do) must not keep the other cores out of their critical sections:
// the core that raises its interrupt needs one. Before the sleeping core let go of the
// cross-core lock, this deadlocked (ErrStalled).
func TestSleepInsideCriticalSectionLetsOtherCoresIn(t *testing.T) {
	var flag, ready, done atomic.Bool
	shared := 0 // guarded by critical sections
	err := run(t, host.Config{Cores: 2}, func() {
		rt.StartCore(1, func() {
			rt.Bind(5, func() { trig.Src[5].Store(0) })
			rt.Enable(5, 1)
			ready.Store(true)
			for {
				cs := rt.EnterCritical()
				if flag.Load() {
					shared++
					cs.Exit()
					break
				}
				rt.WaitForInterrupt()
				cs.Exit()
			}
			done.Store(true)
		})
		for !ready.Load() {
			scratch.Load()
		}
		for i := 0; i < 50; i++ {
			scratch.Load() // let core 1 fall asleep
		}
		rt.Critical(func() {
			shared++
			flag.Store(true)
			trig.Src[5].Store(1)
		})
		for !done.Load() {
			scratch.Load()
		}
		rt.Critical(func() {
			if shared != 2 {
				panic("shared != 2")
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
