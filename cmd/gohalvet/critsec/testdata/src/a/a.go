package a

import (
	"errors"
	"sync/atomic"

	"github.com/gohal/gohal/rt"
)

var ready atomic.Bool
var count int

// --- misuse ---

func earlyReturn(fail bool) error {
	cs := rt.EnterCritical() // want `critical section cs is not exited on every path: a return at line 18 leaves interrupts disabled`
	if fail {
		return errors.New("failed")
	}
	count++
	cs.Exit()
	return nil
}

func neverExited() {
	cs := rt.EnterCritical() // want `critical section cs is not exited on every path: a return at line 29`
	count++
	_ = cs
}

func discarded() {
	rt.EnterCritical() // want `the CS returned by rt.EnterCritical is discarded`
	count++
}

func panicsInside(n int) {
	cs := rt.EnterCritical() // want `critical section cs is not exited on every path: a panic`
	if n < 0 {
		panic("negative")
	}
	count += n
	cs.Exit()
}

func exitOnlyInOneBranch(b bool) {
	cs := rt.EnterCritical() // want `critical section cs is not exited on every path`
	if b {
		cs.Exit()
	}
}

func checkThenSleep() {
	if !ready.Load() {
		rt.WaitForInterrupt() // want `rt.WaitForInterrupt after a condition checked outside a critical section`
	}
}

func spinSleep() {
	for !ready.Load() {
		rt.WaitForInterrupt() // want `rt.WaitForInterrupt after a condition checked outside a critical section`
	}
}

func sleepAfterExit() {
	cs := rt.EnterCritical()
	ok := ready.Load()
	cs.Exit()
	if !ok {
		rt.WaitForInterrupt() // want `rt.WaitForInterrupt after a condition checked outside a critical section`
	}
}

func inClosure() func() {
	return func() {
		cs := rt.EnterCritical() // want `critical section cs is not exited on every path`
		if count > 3 {
			return
		}
		cs.Exit()
	}
}

// --- correct ---

func plain() {
	cs := rt.EnterCritical()
	count++
	cs.Exit()
}

func deferred(fail bool) error {
	cs := rt.EnterCritical()
	defer cs.Exit()
	if fail {
		return errors.New("failed")
	}
	if count < 0 {
		panic("negative")
	}
	count++
	return nil
}

func exitOnEveryPath(b bool) int {
	cs := rt.EnterCritical()
	if b {
		cs.Exit()
		return 1
	}
	cs.Exit()
	return 0
}

func checkAndSleepInside() {
	for {
		cs := rt.EnterCritical()
		if ready.Load() {
			cs.Exit()
			return
		}
		rt.WaitForInterrupt() // the interrupt stays pending and ends the WFI
		cs.Exit()
	}
}

func blinkyIdiom(seen int) {
	for seen < 10 {
		cs := rt.EnterCritical()
		n := count
		if n == seen {
			rt.WaitForInterrupt()
		}
		cs.Exit()
		seen = n
	}
}

func idleForever() {
	for {
		rt.WaitForInterrupt() // nothing is checked: an idle loop
	}
}

func nested() {
	outer := rt.EnterCritical()
	inner := rt.EnterCritical()
	count++
	inner.Exit()
	outer.Exit()
}

func critical() {
	rt.Critical(func() { count++ })
}

// lock hands its section to the caller, who ends it (async's spinlock does this).
func lock() rt.CS {
	cs := rt.EnterCritical()
	count++
	return cs
}

type guard struct{ cs rt.CS }

func acquire() guard {
	cs := rt.EnterCritical()
	return guard{cs: cs}
}
