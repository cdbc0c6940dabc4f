// Command timeout_uart shows a timeout on a silent UART: a task reads UART0 with
// async.WithDeadline around the driver's ReadAsync future, three times with longer and
// longer timeouts, and reports when each gave up. Nothing is connected to UART0's RX, so
// every read times out, exactly on time; the read's interrupt sources are disarmed each
// time (the timeout cancels the read), which the report shows too.
//
//	go run ./examples/timeout_uart                      # on the simulator, in virtual time
//	tinygo build -target=esp32c3 ./examples/timeout_uart # the same source for the chip
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/pac/esp32c3"
)

// timeouts are the reads' time limits.
var timeouts = [...]async.Duration{10 * async.Millisecond, 100 * async.Millisecond, 500 * async.Millisecond}

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	b, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	u := b.IntoAsync()
	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 1})
	check(err)
	_, err = async.Spawn(ex.Spawner(), &reader{u: u})
	check(err)
	ex.Run()
	u.Flush()
	ex.Close()
	systimer.Stop()
	u.Close()
}

// reader is the task: for each timeout, start a read with a deadline, wait, report.
type reader struct {
	u       *uart.Async
	i       int
	waiting bool
	start   async.Instant
	rd      uart.ReadFuture
	dl      async.Timeout[async.Outcome[int]]
	buf     [16]byte
}

func (r *reader) Poll(cx *async.Context) bool {
	for r.i < len(timeouts) {
		if !r.waiting {
			r.start = async.Now()
			say(r.u, "timeout_uart: reading UART0 with a ", int64(timeouts[r.i]/async.Millisecond), " ms timeout at t = ")
			sayTime(r.u, r.start)
			say(r.u, "\r\n", -1, "")
			r.rd = r.u.ReadAsync(r.buf[:])
			r.dl.Init(&r.rd, r.start.Add(timeouts[r.i]))
			r.waiting = true
		}
		res, ok := r.dl.Poll(cx)
		if !ok {
			return false
		}
		now := async.Now()
		r.waiting = false
		r.i++
		switch {
		case res.Err != nil: // the deadline's only error is async.ErrTimeout
			// (Not res.Err == async.ErrTimeout: TinyGo compares interfaces through
			// reflect, which would add 6 KB of flash to this program.)
			say(r.u, "timeout_uart: timed out at t = ", -1, "")
			sayTime(r.u, now)
			say(r.u, ", after ", int64(now.Sub(r.start)), " us; UART0 INT_ENA = ")
			say(r.u, "", int64(esp32c3.UART0.INT_ENA.Read()), "\r\n")
		case res.Value.Err != nil:
			say(r.u, "timeout_uart: receive error: "+res.Value.Err.Error()+"\r\n", -1, "")
		default:
			say(r.u, "timeout_uart: got ", int64(res.Value.Value), " bytes at t = ")
			sayTime(r.u, now)
			say(r.u, "\r\n", -1, "")
		}
	}
	return true
}

// say writes a, the number n (unless negative) and b, with the blocking Write the async
// driver keeps.
func say(u *uart.Async, a string, n int64, b string) {
	u.Write([]byte(a))
	if n >= 0 {
		var buf [20]byte
		i := len(buf)
		for {
			i--
			buf[i] = byte('0' + n%10)
			n /= 10
			if n == 0 {
				break
			}
		}
		u.Write(buf[i:])
	}
	u.Write([]byte(b))
}

// sayTime writes an instant in milliseconds with three decimals.
func sayTime(u *uart.Async, t async.Instant) {
	us := int64(t)
	say(u, "", us/1000, ".")
	frac := us % 1000
	switch {
	case frac < 10:
		u.Write([]byte("00"))
	case frac < 100:
		u.Write([]byte("0"))
	}
	say(u, "", frac, " ms")
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}

func main() { start(firmware) }
