//go:build go1.25

package esp32c3

import (
	"errors"
	"runtime/debug"
	"testing"
	"testing/synctest"

	"github.com/gohal/gohal/rt/host"
)

// RunInBubble is Run for go test, with Go's clock made virtual: the firmware's thread mode
// on core 0 runs inside a testing/synctest bubble (synctest.Test, hence the *testing.T),
// so time.Sleep, time.Now, time.Since, timers and tickers the firmware uses, directly or
// inside an unmodified driver, follow virtual time. A time.Sleep(d) makes exactly d of
// virtual time pass on core 0, with events and interrupts at their times, and time.Now
// reads virtual time. See the package documentation, section Time, for how and for what is
// not covered.
//
// The firmware must not leave goroutines of its own blocked when it returns (synctest.Test
// reports them as a deadlock). RunInBubble returns what Run returns; t must not be in a
// bubble already.
func (c *Chip) RunInBubble(t *testing.T, firmware func()) error {
	if c.closed.Load() {
		return errors.New("esp32c3: RunInBubble on a closed chip")
	}
	if host.Current() != nil {
		return errors.New("esp32c3: RunInBubble while another chip is running")
	}
	h := host.NewHandoff() // outside the bubble: the core's goroutine resumes through it
	var (
		panicked bool
		value    any
	)
	c.tsync.bubble.Store(true)
	defer c.tsync.bubble.Store(false)
	errc := make(chan error, 1)
	// The machine, its cores and clock run outside the bubble (their hand-offs are not all
	// durably blocking, see the package doc); core 0's thread mode resumes the firmware's
	// goroutine in the bubble as a coroutine and waits for it.
	go func() {
		errc <- c.Run(func() {
			h.Resume()
			if panicked {
				panic(value)
			}
		})
	}()
	synctest.Test(t, func(*testing.T) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer h.Done()
			h.Wait()
			c.tsync.start(c)
			defer func() {
				if r := recover(); r != nil {
					panicked, value = true, r
					c.Logf("firmware panic in the bubble: %v\n%s", r, debug.Stack())
					return
				}
				c.tsync.sync(c) // a sleep just before returning still takes its time
			}()
			firmware()
		}()
		<-done
	})
	return <-errc
}
