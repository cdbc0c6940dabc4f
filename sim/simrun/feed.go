//go:build !tinygo

package simrun

import (
	"bufio"
	"bytes"
	"io"
	"sync"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
)

// feeder moves what a reader yields onto a UART's RX line (or into the USB host's
// writes), then Port.RXEnd (see Port.RX).
type feeder struct {
	c        *sim.Chip
	u        rxLine
	end      []byte
	chunks   chan []byte // closed at end of input
	realTime bool
}

// pollEvery is how often, in virtual time, the feeder looks for input.
const pollEvery = time.Millisecond

// maxWait is how long, in real time, a look that finds no input waits for some in virtual
// time.
const maxWait = time.Second

// rxLine is where a feeder puts its bytes: a *sim.UART, or the USB host (usbLine).
type rxLine interface {
	FeedAt(at time.Duration, data ...byte)
	OnTX(f func(sim.TimedByte))
}

// usbLine is the USB host as an rxLine: its writes are the feed, the packets it reads the
// TX side (each byte timed at its packet).
type usbLine struct{ u *sim.USBSerial }

func (l usbLine) FeedAt(at time.Duration, data ...byte) { l.u.WriteAt(at, data...) }

func (l usbLine) OnTX(f func(sim.TimedByte)) {
	l.u.OnReceive(func(p sim.USBPacket) {
		for _, b := range p.Data {
			f(sim.TimedByte{Byte: b, Start: p.At, End: p.At})
		}
	})
}

func startFeeder(c *sim.Chip, u rxLine, p Port, realTime bool) {
	f := &feeder{c: c, u: u, end: p.RXEnd, chunks: make(chan []byte, 16), realTime: realTime}
	if p.RXLines {
		go f.readLines(p.RX)
	} else {
		go f.read(p.RX)
	}
	if p.RXAfterTX {
		var once sync.Once
		f.u.OnTX(func(sim.TimedByte) { once.Do(func() { c.After(0, f.poll) }) })
		return
	}
	c.Schedule(0, f.poll)
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

func (f *feeder) readLines(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if line = bytes.TrimRight(line, "\r\n"); len(line) > 0 {
			f.chunks <- line
		}
		if err != nil {
			close(f.chunks)
			return
		}
	}
}

// poll runs as a simulator event (the chip lock held, time standing still): it queues what
// has arrived and looks again a millisecond later, until the end of input.
func (f *feeder) poll() {
	var wait <-chan time.Time
	if !f.realTime {
		t := time.NewTimer(maxWait)
		defer t.Stop()
		wait = t.C
	}
	for got := false; ; {
		select {
		case b, ok := <-f.chunks:
			if !f.take(b, ok) {
				return
			}
			got = true
			continue
		default:
		}
		if got || wait == nil {
			break
		}
		select {
		case b, ok := <-f.chunks:
			if !f.take(b, ok) {
				return
			}
			got = true
		case <-wait:
			wait = nil
		}
	}
	f.c.After(pollEvery, f.poll)
}

// take queues b, or at the end of input (ok false) the end bytes; it reports whether input
// goes on.
func (f *feeder) take(b []byte, ok bool) bool {
	if !ok {
		if len(f.end) > 0 {
			f.u.FeedAt(f.c.Now(), f.end...)
		}
		return false
	}
	f.u.FeedAt(f.c.Now(), b...)
	return true
}
