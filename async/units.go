package async

import "time"

// Instant is a point in time: microseconds since the time driver started (1 MHz ticks).
type Instant uint64

// Duration is a span of time in microseconds: the unit of the executor's clock and of every
// wait (timers, driver futures, gpio and timer methods). Driver Configs take time.Duration,
// as TinyGo's drivers do; DurationOf and Std convert between the two.
type Duration int64

// DurationOf converts d to a Duration, rounding up to a whole microsecond so that a timeout
// is never shorter than asked.
func DurationOf(d time.Duration) Duration {
	us := d / time.Microsecond
	if d%time.Microsecond > 0 {
		us++
	}
	return Duration(us)
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) * time.Microsecond }

// Units of Duration.
const (
	Microsecond Duration = 1
	Millisecond          = 1000 * Microsecond
	Second               = 1000 * Millisecond
)

// Add returns t+d.
func (t Instant) Add(d Duration) Instant { return Instant(int64(t) + int64(d)) }

// Sub returns t-u.
func (t Instant) Sub(u Instant) Duration { return Duration(int64(t) - int64(u)) }

// Before reports whether t is before u.
func (t Instant) Before(u Instant) bool { return t < u }

// Micros returns d in microseconds.
func (d Duration) Micros() int64 { return int64(d) }

// Millis returns d in whole milliseconds.
func (d Duration) Millis() int64 { return int64(d) / 1000 }
