// Command lines is a line service on UART0 written as straight-line tasks (async.Go), the
// way a Go programmer writes sequential code, with the typed awaits that allocate nothing:
//
//   - the reader task reads UART0 (uart.Async.AwaitRead), cuts what arrives into lines and
//     hands each to the writer over a Channel (AwaitSend);
//   - the writer task takes each line (AwaitReceive), waits 2 ms on TIMG1's alarm
//     (timer.AsyncOneShot.AwaitDelay: a stand-in for whatever a real service would do with
//     the line) and answers it, numbered, on UART0 (AwaitWrite).
//
// A Ctrl-D (EOT, 0x04) ends both. Each await keeps its future in the driver or primitive
// (or the task's own handle), so a straight-line task's loop allocates nothing: `make
// tinygo` checks that with TinyGo's -print-allocs on this program.
//
//	go run ./examples/lines                          # on the simulator, with a scripted input
//	tinygo build -target=esp32c3 ./examples/lines    # the same source for the chip
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/timer"
	"github.com/gohal/gohal/hal/uart"
)

const eot = 0x04 // Ctrl-D: end of transmission

// taskStack is each straight-line task's goroutine stack on the chip, in bytes: the
// deepest either task measured (T.StackUse: 484 bytes) plus room for the interrupts that can
// preempt it there. A trap runs on the interrupted stack: one landing at the reader's
// deepest point took it 140 bytes further (624 B) in a CI run, and a higher-priority one
// can nest on top. 768-byte stacks left too little for that.
const taskStack = 1024

// line is what the reader hands the writer: up to 32 bytes of a line, or the end.
type line struct {
	text [32]byte
	n    uint8
	end  bool
}

// The tasks' buffers are package variables: the drivers keep a slice of a buffer while a
// read or write waits, which would move a local array to the heap.
var (
	rxBuf    [16]byte
	txBuf    [48]byte
	answered int
)

func firmware() {
	answered = 0
	p, err := hal.Init(hal.Config{})
	check(err)
	b, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	b.Write([]byte("lines: send lines, Ctrl-D to stop\r\n"))
	u := b.IntoAsync()
	ot, err := timer.NewOneShot(p.TIMG1, timer.Config{})
	check(err)
	tm := ot.IntoAsync()
	lines := async.NewChannel[line](2) // made once, at start-up: the only allocations are here

	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 2})
	check(err)
	// Each task's goroutine stack is sized from its measured depth (T.StackUse, printed by
	// the chip build: about 480 bytes for either) plus interrupt frames and a margin, not
	// the program's default -stack-size: two 1 KiB stacks instead of two of 2 KiB.
	_, err = ex.Spawner().Spawn(async.GoWith(async.GoOptions{Name: "reader", StackSize: taskStack}, reader(u, lines)))
	check(err)
	_, err = ex.Spawner().Spawn(async.GoWith(async.GoOptions{Name: "writer", StackSize: taskStack}, writer(u, tm, lines)))
	check(err)
	ex.Run() // returns when both tasks have finished

	u.Write([]byte("lines: "))
	writeUint(u, answered)
	u.Write([]byte(" answered; bye\r\n"))
	u.Flush()
	ex.Close()
	systimer.Stop()
	tm.Close()
	u.Close()
}

// taskStacks is how much of its goroutine stack each task used (the chip build reports it:
// start_tinygo.go), reader's then writer's.
var taskStacks [2]async.StackUse

// reader reads UART0 and sends each line on the channel, then the end.
func reader(u *uart.Async, lines *async.Channel[line]) func(t *async.T) {
	return func(t *async.T) {
		var cur line
		for {
			n, err := u.AwaitRead(t, rxBuf[:])
			if err != nil {
				continue // a receive error drops what it spoiled; the next read goes on
			}
			for _, c := range rxBuf[:n] {
				switch c {
				case eot:
					if cur.n > 0 {
						lines.AwaitSend(t, cur) // the unfinished line
					}
					lines.AwaitSend(t, line{end: true})
					taskStacks[0] = t.StackUse()
					return
				case '\n':
					lines.AwaitSend(t, cur)
					cur = line{}
				case '\r':
				default:
					if int(cur.n) == len(cur.text) { // a long line goes in pieces
						lines.AwaitSend(t, cur)
						cur = line{}
					}
					cur.text[cur.n] = c
					cur.n++
				}
			}
		}
	}
}

// writer answers each line with its number, 2 ms after it came.
func writer(u *uart.Async, tm *timer.AsyncOneShot, lines *async.Channel[line]) func(t *async.T) {
	return func(t *async.T) {
		for {
			l := lines.AwaitReceive(t)
			if l.end {
				taskStacks[1] = t.StackUse()
				return
			}
			answered++
			check(tm.AwaitDelay(t, 2*async.Millisecond))
			k := putUint(txBuf[:], answered)
			k += copy(txBuf[k:], ": ")
			k += copy(txBuf[k:], l.text[:l.n])
			k += copy(txBuf[k:], "\r\n")
			u.AwaitWrite(t, txBuf[:k])
		}
	}
}

// putUint writes n in decimal at the start of buf and returns its length.
func putUint(buf []byte, n int) int {
	var digits [20]byte
	i := len(digits)
	for {
		i--
		digits[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return copy(buf, digits[i:])
}

func writeUint(u *uart.Async, n int) {
	var buf [20]byte
	u.Write(buf[:putUint(buf[:], n)])
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}

func main() { start(firmware) }
