package async

import (
	"errors"
	"sync/atomic"

	"github.com/gohal/gohal/rt"
)

// TimeDriver is a chip's clock and alarm: hal wires the ESP32-C3's SYSTIMER. Now must be
// monotonic and callable from any context. SetAlarm asks for ExpireTimers to be called on
// core `core` once Now() >= at, replacing that core's previous alarm; it returns false
// (and sets nothing) when at has already passed.
type TimeDriver interface {
	Now() Instant
	SetAlarm(core int, at Instant) bool
}

var driver atomic.Pointer[driverBox]

type driverBox struct{ d TimeDriver }

// ErrNoTimeDriver is the panic value of a timer polled before SetTimeDriver.
var ErrNoTimeDriver = errors.New("async: no time driver: call hal.Init or async.SetTimeDriver first")

// SetTimeDriver installs the time driver; hal.Init does it. Call it once at start, before
// any timer is polled.
func SetTimeDriver(d TimeDriver) {
	if d == nil {
		driver.Store(nil)
		return
	}
	driver.Store(&driverBox{d})
}

func timeDriver() TimeDriver {
	b := loadPointer(&driver)
	if b == nil {
		panic(ErrNoTimeDriver)
	}
	return b.d
}

// Now returns the current time from the time driver.
func Now() Instant { return timeDriver().Now() }

// ExpireTimers wakes every timer of the current core's queue whose deadline has passed and
// sets the alarm for the next one, through the installed time driver. A time driver calls
// it, or ExpireTimersOf, from its alarm interrupt.
func ExpireTimers() { expire(queueOf(rt.CoreID()), timeDriver()) }

// ExpireTimersOf is ExpireTimers for a time driver that calls it with itself (d must be the
// installed driver): its Now and SetAlarm are then called directly, not through the
// TimeDriver interface. hal/systimer's alarm handler does.
func ExpireTimersOf[D TimeDriver](d D) { expire(queueOf(rt.CoreID()), d) }
