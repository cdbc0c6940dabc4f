//go:build !tinygo

package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
)

// start runs the firmware on the ESP32-C3 simulator with standard input wired to UART0's
// RX line and UART0's TX line printed on standard output; end of input sends an EOT
// (Ctrl-D), which ends the firmware. The simulator's messages and a summary go to standard
// error.
func start(firmware func()) {
	realTime := flag.Bool("realtime", isTerminal(os.Stdin),
		"pace virtual time to the wall clock (the default when standard input is a terminal)")
	simLog := flag.Bool("simlog", false, "show the simulator's log (unmodelled registers, model notes) on standard error")
	flag.Parse()
	var log io.Writer = io.Discard
	if *simLog {
		log = os.Stderr
	}
	wall := time.Now()
	c, err := simulate(firmware, os.Stdin, os.Stdout, log, *realTime)
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	idle := 0.0
	if stats.TotalCycles > 0 {
		idle = 100 * float64(stats.IdleCycles) / float64(stats.TotalCycles)
	}
	fmt.Fprintf(os.Stderr, "simulator: %d lines (%d bytes) echoed; LED toggled %d times; CPU in WFI %.1f%% of the time; %v of virtual time took %v\n",
		stats.Lines, stats.Bytes, stats.Toggles, idle, c.Now().Round(time.Millisecond), time.Since(wall).Round(time.Millisecond))
}

// simulate runs firmware on a new simulated chip whose UART0 RX line is fed from in (then
// an EOT) and whose TX line is copied to out, and returns the chip when the firmware has
// returned.
func simulate(firmware func(), in io.Reader, out io.Writer, log io.Writer, realTime bool) (*sim.Chip, error) {
	opts := []sim.Option{sim.Log(log)}
	if realTime {
		opts = append(opts, sim.RealTime())
	}
	c := sim.New(opts...)
	f := &feeder{c: c, chunks: make(chan []byte, 16), realTime: realTime}
	go f.read(in)
	var once sync.Once
	c.UART(0).OnTX(func(b sim.TimedByte) {
		out.Write([]byte{b.Byte})
		// The firmware's greeting is on the line: UART0 is set up, input may flow.
		once.Do(func() { c.After(0, f.poll) })
	})
	return c, c.Run(firmware)
}

// feeder moves standard input onto UART0's RX line, then an EOT. Frames cross the line
// back to back at the UART's baud rate, so a fast producer is paced as a real serial line
// would pace it.
//
// It polls for input every virtual millisecond. In virtual time (input from a pipe or a
// file) a poll that finds no input yet waits up to a second of real time for some, so the
// simulation does not race ahead of its input: the same input gives the same run. In real
// time (a terminal) polls never wait.
type feeder struct {
	c        *sim.Chip
	chunks   chan []byte // closed at end of input
	realTime bool
}

func (f *feeder) read(r io.Reader) {
	for {
		buf := make([]byte, 4096)
		n, err := r.Read(buf)
		if n > 0 {
			f.chunks <- buf[:n]
		}
		if err != nil {
			close(f.chunks)
			return
		}
	}
}

// poll runs as a simulator event (the chip lock held, time standing still).
func (f *feeder) poll() {
	var wait <-chan time.Time
	if !f.realTime {
		t := time.NewTimer(time.Second)
		defer t.Stop()
		wait = t.C
	}
	for got := false; ; {
		select {
		case b, ok := <-f.chunks:
			if !ok {
				f.c.UART(0).FeedAt(f.c.Now(), eot)
				return // end of input: no more polls
			}
			f.c.UART(0).FeedAt(f.c.Now(), b...)
			got = true
			continue
		default:
		}
		if got || wait == nil {
			break
		}
		select {
		case b, ok := <-f.chunks:
			if !ok {
				f.c.UART(0).FeedAt(f.c.Now(), eot)
				return
			}
			f.c.UART(0).FeedAt(f.c.Now(), b...)
			got = true
		case <-wait:
			wait = nil
		}
	}
	f.c.After(time.Millisecond, f.poll)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
