// Command timeout shows async.WithTimeout on futures that do not complete in time, and
// what cancelling them means: first a Signal nobody signals, then reads on UART0's RX line
// (GPIO20) that wait 500 ms for a byte. While a read waits, it has enabled UART0's
// RXFIFO_FULL and RXFIFO_TOUT interrupts (and the receive-error ones); a read that times out
// is cancelled, which disables them again (INT_ENA reads 0), as esp-hal's futures do when
// dropped.
//
//	go run ./examples/timeout                        # on the simulator: the line is silent
//	go run ./examples/timeout -realtime              # paced to the wall clock; type a key
//	                                                 # and Enter to feed UART0 RX
//	tinygo build -target=esp32c3 ./examples/timeout  # for the chip
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/pac/esp32c3"
)

const (
	signalTimeout = 100 * async.Millisecond
	readTimeout   = 500 * async.Millisecond
	rounds        = 3
)

// timeoutTask is a state machine: wait on the signal, then read three times.
type timeoutTask struct {
	con   *console.Console
	ua    *uart.Async
	step  int
	round int
	t0    async.Instant

	sig     async.Signal[int] // nobody signals it
	sigWait async.SignalFuture[int]
	sigDL   async.Timeout[int]

	buf   [1]byte
	rd    uart.ReadFuture
	shown bool
	rdDL  async.Timeout[async.Outcome[int]]
}

func (t *timeoutTask) Poll(cx *async.Context) bool {
	for {
		switch t.step {
		case 0:
			t.con.S("timeout: waiting on a Signal nobody signals, for ").D(signalTimeout.Millis()).S(" ms").NL()
			t.sigWait = t.sig.Wait()
			t.t0 = async.Now()
			t.sigDL.Init(&t.sigWait, t.t0.Add(signalTimeout)) // WithTimeout, without allocating
			t.step = 1
		case 1:
			o, ok := t.sigDL.Poll(cx)
			if !ok {
				return false
			}
			t.con.S("timeout: signal: ").S(describe(o.Err)).S(" after ").D(async.Now().Sub(t.t0).Millis()).S(" ms").NL()
			t.step = 2
		case 2:
			t.round++
			t.con.S("round ").D(int64(t.round)).S(": reading UART0 RX, up to ").D(readTimeout.Millis()).S(" ms").NL()
			t.rd = t.ua.ReadAsync(t.buf[:])
			t.t0 = async.Now()
			t.rdDL.Init(&t.rd, t.t0.Add(readTimeout))
			t.step = 3
		case 3:
			o, ok := t.rdDL.Poll(cx)
			if !ok {
				if !t.shown { // the read has armed its interrupt sources and waits
					t.shown = true
					t.con.S("round ").D(int64(t.round)).S(": waiting, UART0 INT_ENA = ").
						X(uint32(esp32c3.UART0.INT_ENA.Read())).NL()
				}
				return false
			}
			t.shown = false
			took := async.Now().Sub(t.t0).Millis()
			switch {
			case o.Err != nil:
				// The read lost the race and was cancelled: its interrupt sources are off.
				t.con.S("round ").D(int64(t.round)).S(": ").S(describe(o.Err)).S(" after ").D(took).
					S(" ms; the read was cancelled, UART0 INT_ENA = ").X(uint32(esp32c3.UART0.INT_ENA.Read())).NL()
			case o.Value.Err != nil:
				t.con.S("round ").D(int64(t.round)).S(": receive error: ").S(o.Value.Err.Error()).NL()
			default:
				t.con.S("round ").D(int64(t.round)).S(": got '").S(printable(t.buf[0])).S("' after ").D(took).S(" ms").NL()
			}
			if t.round == rounds {
				return true
			}
			t.step = 2
		}
	}
}

// describe names a Timeout's outcome. A Timeout's only error is async.ErrTimeout, so
// err != nil says it timed out. (errors.Is(err, async.ErrTimeout) says the same, but under
// TinyGo comparing two interface values goes through reflect, which would add about 6 KB
// of flash to this program; err != nil is a plain nil check.)
func describe(err error) string {
	if err != nil {
		return "timed out"
	}
	return "got a value"
}

func printable(b byte) string {
	if b < ' ' || b > '~' {
		return "?"
	}
	return string(rune(b))
}

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	check(err)
	ua := u.IntoAsync() // binds UART0's interrupt on this core; u is consumed

	ex, err := executor.Thread(executor.Options{Name: "main"})
	check(err)
	_, err = async.SpawnWith(ex.Spawner(), &timeoutTask{con: console.New(ua), ua: ua}, async.SpawnOptions{Name: "timeout"})
	check(err)
	ex.Run()

	ua.Flush()
	ex.Close()
	ua.Close()
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}
