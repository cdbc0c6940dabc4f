// Command echo is gohal's async UART echo: a task reads lines from UART0 and echoes them
// back, while a second task blinks the LED on GPIO8 from a
// ticker, both on one thread-mode executor that sleeps in WFI whenever neither has work. A
// Ctrl-D (EOT, 0x04) on the line ends it.
//
//	printf 'hello\nworld\n' | go run ./examples/echo   # on the simulator, fed from stdin
//	go run ./examples/echo                              # type lines; Ctrl-D stops (real time)
//	tinygo build -target=esp32c3 ./examples/echo        # the same source for the chip
//
// On the host (start_host.go) standard input is fed into the simulated UART0's RX line
// at 115200 baud, its TX line is printed on standard output, and end of input sends the
// EOT. On the chip (start_tinygo.go) UART0 is the USB-serial adapter's port of most boards.
//
// The console can be the chip's own USB-Serial-JTAG port instead (hal/usbserial), for
// boards whose USB connector goes straight to the chip: on the host with -console usb
// (standard input and output then go through the simulated USB endpoint), on the chip with
// the usbconsole build tag, since firmware has no flags:
//
//	printf 'hello\n' | go run ./examples/echo -console usb
//	tinygo build -target=esp32c3 -tags usbconsole ./examples/echo
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
)

const (
	baud        = 115200
	ledPin      = 8                       // the LED of most ESP32-C3 boards
	blinkPeriod = 250 * async.Millisecond // LED toggles
	eot         = 0x04                    // Ctrl-D: end of transmission
)

// Stats is what the last run measured, for the host's report and the tests.
type Stats struct {
	Lines, Bytes int
	Toggles      int
	// IdleCycles and TotalCycles are the executor's time in WFI and in Run.
	IdleCycles, TotalCycles uint64
}

var stats Stats

func firmware() {
	stats = Stats{}
	p, err := hal.Init(hal.Config{})
	check(err)
	var u console
	var b *uart.Blocking
	if !usbConsole {
		b, err = uart.New(p.UART0, uart.Config{Baud: baud}, p.GPIO21, p.GPIO20)
		check(err)
	}
	led, err := gpio.NewOutput(p.GPIO8, gpio.Low, gpio.OutputConfig{})
	check(err)
	if usbConsole {
		u.usb = openUSB(p, "echo: USB-Serial-JTAG, LED on GPIO8; send lines, Ctrl-D to stop\r\n")
	} else {
		b.Write([]byte("echo: UART0 at 115200 baud, LED on GPIO8; send lines, Ctrl-D to stop\r\n"))
		u.uart = b.IntoAsync()
	}

	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 2})
	check(err)
	blink := &blinker{led: led, ticker: async.NewTicker(blinkPeriod)}
	bw, err := async.Spawn(ex.Spawner(), blink)
	check(err)
	_, err = async.Spawn(ex.Spawner(), &echo{u: &u, blinker: bw, stop: &blink.stop})
	check(err)
	ex.Run() // returns when both tasks have finished
	stats.IdleCycles, stats.TotalCycles = ex.IdleCycles()

	u.Write([]byte("echo: "))
	writeUint(&u, stats.Lines)
	u.Write([]byte(" lines, "))
	writeUint(&u, stats.Bytes)
	u.Write([]byte(" bytes; bye\r\n"))
	u.Flush()

	// Shut down cleanly, giving everything back (so a test can run the firmware again).
	ex.Close()
	systimer.Stop()
	led.Close()
	u.Close()
}

// echo is the echo task, a state machine: read what has arrived, write it back, until
// EOT. It echoes bytes as they arrive rather than holding each line until its newline: a
// serial line at the same rate in both directions leaves no time to catch up, so a
// line-buffered echo of a long paste would fall behind until the RX FIFO overflowed. Lines
// still come back whole (the read wakes when the line goes quiet, RXFIFO_TOUT, or when 64
// bytes are waiting, RXFIFO_FULL), and the task counts them.
type echo struct {
	u       *console
	blinker async.Waker
	stop    *bool

	buf [64]byte
	eot bool

	state int
	rd    uart.ReadFuture
	wr    uart.WriteFuture
	fl    uart.FlushFuture
}

// console is UART0 or, with usbConsole, the USB-Serial-JTAG (usbconsole.go): the one that
// is not nil. (Two fields and a branch rather than an interface: the chip's UART build,
// where usbConsole is a false constant and usbPort a stub, links no USB code.)
type console struct {
	uart *uart.Async
	usb  *usbPort
}

func (c *console) Write(p []byte) {
	if usbConsole {
		c.usb.Write(p)
		return
	}
	c.uart.Write(p)
}

func (c *console) Flush() {
	if usbConsole {
		c.usb.Flush()
		return
	}
	c.uart.Flush()
}

func (c *console) Close() {
	if usbConsole {
		c.usb.Close()
		return
	}
	c.uart.Close()
}

// startRead, pollRead, startWrite, pollWrite, startFlush and pollFlush drive the echo's
// future on the console in use.
func (e *echo) startRead() {
	if usbConsole {
		e.u.usb.startRead(e.buf[:])
		return
	}
	e.rd = e.u.uart.ReadAsync(e.buf[:])
}

func (e *echo) pollRead(cx *async.Context) (async.Outcome[int], bool) {
	if usbConsole {
		return e.u.usb.pollRead(cx)
	}
	return e.rd.Poll(cx)
}

func (e *echo) startWrite(n int) {
	if usbConsole {
		e.u.usb.startWrite(e.buf[:n])
		return
	}
	e.wr = e.u.uart.WriteAsync(e.buf[:n])
}

func (e *echo) pollWrite(cx *async.Context) bool {
	if usbConsole {
		return e.u.usb.pollWrite(cx)
	}
	_, ok := e.wr.Poll(cx)
	return ok
}

func (e *echo) startFlush() {
	if usbConsole {
		e.u.usb.startFlush()
		return
	}
	e.fl = e.u.uart.FlushAsync()
}

func (e *echo) pollFlush(cx *async.Context) bool {
	if usbConsole {
		return e.u.usb.pollFlush(cx)
	}
	_, ok := e.fl.Poll(cx)
	return ok
}

const (
	stRead = iota
	stReading
	stWriting
	stFlushing
)

func (e *echo) Poll(cx *async.Context) bool {
	for {
		switch e.state {
		case stRead:
			e.startRead()
			e.state = stReading
		case stReading:
			res, ok := e.pollRead(cx)
			if !ok {
				return false
			}
			if res.Err != nil {
				e.u.Write([]byte("\r\necho: " + res.Err.Error() + "\r\n"))
			}
			n := res.Value
			for i, c := range e.buf[:n] {
				if c == eot {
					n, e.eot = i, true
					break
				}
				if c == '\n' {
					stats.Lines++
				}
			}
			stats.Bytes += n
			e.startWrite(n)
			e.state = stWriting
		case stWriting:
			if !e.pollWrite(cx) {
				return false
			}
			e.state = stRead
			if e.eot {
				e.startFlush()
				e.state = stFlushing
			}
		case stFlushing:
			if !e.pollFlush(cx) {
				return false
			}
			*e.stop = true
			e.blinker.Wake()
			return true
		}
	}
}

// blinker toggles the LED on every tick until stop is set.
type blinker struct {
	led    *gpio.Output
	ticker async.Ticker
	stop   bool
}

func (b *blinker) Poll(cx *async.Context) bool {
	for {
		if b.stop {
			b.ticker.Cancel()
			return true
		}
		if _, ok := b.ticker.Poll(cx); !ok {
			return false
		}
		b.led.Toggle()
		stats.Toggles++
	}
}

func writeUint(u *console, n int) {
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

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}

func main() { start(firmware) }
