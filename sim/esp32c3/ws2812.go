package esp32c3

import (
	"fmt"
	"time"
)

// WS2812 timing from the WS2812B datasheet: a 0 bit is T0H high then T0L low, a 1 bit T1H
// high then T1L low, each within ±WS2812Tolerance; a low level of at least WS2812Reset
// latches the data.
const (
	WS2812T0H       = 400 * time.Nanosecond
	WS2812T0L       = 850 * time.Nanosecond
	WS2812T1H       = 800 * time.Nanosecond
	WS2812T1L       = 450 * time.Nanosecond
	WS2812Tolerance = 150 * time.Nanosecond
	WS2812Reset     = 50 * time.Microsecond
)

// RGB is an LED's colour.
type RGB struct{ R, G, B uint8 }

// String formats the colour as #rrggbb.
func (c RGB) String() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// WS2812Error is a frame the chain rejected, located: the LED and bit (0 = the first bit
// of that LED's 24, its green MSB) and the virtual time of the offending edge.
type WS2812Error struct {
	At      time.Duration
	LED     int
	Bit     int
	Problem string
}

func (e WS2812Error) Error() string {
	return fmt.Sprintf("ws2812: at %v, LED %d bit %d: %s", e.At, e.LED, e.Bit, e.Problem)
}

// WS2812Chain models a chain of WS2812(B) LEDs whose data input is a pad. It decodes the
// pad's pulses by their timing: each LED keeps the first 24 bits after a reset (green,
// red, blue, MSB first) and passes the rest down the chain, and a low level of 50 µs or
// more latches every LED's new colour. A pulse outside the datasheet's tolerances
// (WS2812T0H... ±150 ns) is a WS2812Error noted in the chip's log: the LED whose bits it
// falls in keeps its old colour, the others take theirs. An LED that received fewer than
// 24 bits keeps its old colour too.
type WS2812Chain struct {
	c   *Chip
	pin int

	leds  []RGB // latched colours
	frame []byte
	bad   []bool // LEDs of the frame with a rejected bit
	bits  int    // bits of the frame so far

	high       bool
	rose       bool // a rising edge has been seen: the pad may start high (a pull-up)
	rise, fall time.Duration
	lastBit    int // the value of the last bit decoded (-1: none in this frame)
	frameStart time.Duration

	frames     int
	lastStart  time.Duration
	lastEnd    time.Duration
	extra      int // bits past the chain's end in the last latched frame
	errs       []WS2812Error
	maxErrLogs int
}

// AttachWS2812 connects a chain of n WS2812 LEDs, all off, to pad pin.
func (c *Chip) AttachWS2812(pin, n int) *WS2812Chain {
	checkPad(pin)
	if n < 1 {
		panic("esp32c3: a WS2812 chain has at least one LED")
	}
	w := &WS2812Chain{c: c, pin: pin, leds: make([]RGB, n), frame: make([]byte, 3*n), bad: make([]bool, n), lastBit: -1, maxErrLogs: 10}
	g := c.GPIO()
	c.Lock()
	w.high = g.level>>pin&1 != 0
	c.Unlock()
	g.OnEdge(func(e Edge) {
		if e.Pin == pin {
			w.edge(e)
		}
	})
	return w
}

func inTolerance(d, want time.Duration) bool {
	return d >= want-WS2812Tolerance && d <= want+WS2812Tolerance
}

// edge decodes one pad edge (the chip lock is held).
func (w *WS2812Chain) edge(e Edge) {
	if e.Level == w.high {
		return
	}
	w.high = e.Level
	if e.Level { // rising: the previous bit's low time ends, or a reset
		low := e.At - w.fall
		switch {
		case w.bits == 0 && w.lastBit < 0:
			// the first bit of a frame
		case low >= WS2812Reset:
			w.latch()
		case w.lastBit == 0 && !inTolerance(low, WS2812T0L):
			w.reject(e.At, w.bits-1, fmt.Sprintf("a 0 bit's low time is %v; T0L is %v ± %v", low, WS2812T0L, WS2812Tolerance))
		case w.lastBit == 1 && !inTolerance(low, WS2812T1L):
			w.reject(e.At, w.bits-1, fmt.Sprintf("a 1 bit's low time is %v; T1L is %v ± %v", low, WS2812T1L, WS2812Tolerance))
		}
		if w.bits == 0 {
			w.frameStart = e.At
		}
		w.rise, w.rose = e.At, true
		return
	}
	if !w.rose {
		return // the pad was high when the chain was attached: not a bit
	}
	// falling: the bit's high time decides its value
	w.fall = e.At
	hi := e.At - w.rise
	bit := w.bits
	w.bits++
	switch {
	case inTolerance(hi, WS2812T0H):
		w.lastBit = 0
	case inTolerance(hi, WS2812T1H):
		w.lastBit = 1
	default:
		w.lastBit = -2
		w.reject(e.At, bit, fmt.Sprintf("high time %v is neither T0H %v nor T1H %v (± %v)", hi, WS2812T0H, WS2812T1H, WS2812Tolerance))
		return
	}
	if bit < 24*len(w.leds) {
		i := bit / 8
		w.frame[i] = w.frame[i]<<1 | byte(w.lastBit)
	}
}

// reject marks the LED that bit belongs to as bad for this frame, and records why.
func (w *WS2812Chain) reject(at time.Duration, bit int, problem string) {
	led := bit / 24
	if led < len(w.leds) {
		w.bad[led] = true
	}
	e := WS2812Error{At: at, LED: led, Bit: bit % 24, Problem: problem}
	w.errs = append(w.errs, e)
	if len(w.errs) <= w.maxErrLogs {
		w.c.Logf("WS2812 chain on GPIO%d: %v; LED %d keeps its colour", w.pin, e, led)
	}
}

// latch ends the frame: every LED that received 24 good bits shows them.
func (w *WS2812Chain) latch() {
	if w.bits == 0 {
		return
	}
	for i := range w.leds {
		if w.bits < 24*(i+1) {
			if w.bits > 24*i {
				w.reject(w.fall, w.bits, fmt.Sprintf("the frame ended after %d of LED %d's 24 bits", w.bits-24*i, i))
			}
			break
		}
		if !w.bad[i] {
			w.leds[i] = RGB{G: w.frame[3*i], R: w.frame[3*i+1], B: w.frame[3*i+2]}
		}
	}
	w.extra = max(0, w.bits-24*len(w.leds))
	w.frames++
	w.lastStart, w.lastEnd = w.frameStart, w.fall
	w.bits, w.lastBit = 0, -1
	clear(w.bad)
}

// settle latches a frame whose reset time has passed with no edge since.
func (w *WS2812Chain) settle() {
	if w.bits > 0 && !w.high && w.c.Now()-w.fall >= WS2812Reset {
		w.latch()
	}
}

// Colors returns the colours the LEDs show, first LED first.
func (w *WS2812Chain) Colors() []RGB {
	w.c.Lock()
	defer w.c.Unlock()
	w.settle()
	return append([]RGB(nil), w.leds...)
}

// Frames returns how many frames have been latched.
func (w *WS2812Chain) Frames() int {
	w.c.Lock()
	defer w.c.Unlock()
	w.settle()
	return w.frames
}

// LastFrame returns when the last latched frame's first bit began and its last bit's high
// time ended, and how many bits it carried past the end of the chain.
func (w *WS2812Chain) LastFrame() (start, end time.Duration, extraBits int) {
	w.c.Lock()
	defer w.c.Unlock()
	w.settle()
	return w.lastStart, w.lastEnd, w.extra
}

// Errors returns the timing violations seen so far.
func (w *WS2812Chain) Errors() []WS2812Error {
	w.c.Lock()
	defer w.c.Unlock()
	return append([]WS2812Error(nil), w.errs...)
}
