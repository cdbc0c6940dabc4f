// Package ws2812 drives WS2812(B) LED chains ("NeoPixels") through an RMT TX channel: each
// bit becomes one pulse code (a 0 is 400 ns high then 850 ns low, a 1 800 ns high then
// 450 ns low, each within ±150 ns), the colours go out green, red, blue, MSB first, and a
// low level of ResetTime (more than the datasheet's 50 µs) latches them. Codes are encoded
// into a buffer the caller provides, so sending a frame allocates nothing.
//
//	tx, _ := rmt.NewTx(p.RMT0, p.GPIO8, rmt.TxConfig{TickHz: ws2812.TickHz})
//	buf := make([]rmt.PulseCode, ws2812.CodesFor(12))
//	leds, _ := ws2812.New(tx, buf)
//	err := leds.WriteColors(colors)                      // blocking
//	codes, _ := leds.EncodeColors(colors)                 // or, on an rmt.AsyncTx:
//	err = atx.AwaitTransmit(t, codes)
//
// A frame of n LEDs is 24·n codes plus the reset code: 30 µs per LED plus ResetTime. Any
// n works: the RMT driver refills the channel's 48-word RAM as it goes.
package ws2812

import (
	"errors"
	"image/color"
	"time"

	"github.com/gohal/gohal/hal/rmt"
)

// Datasheet timing (WS2812B): high and low times of a 0 and a 1 bit, their tolerance, and
// the reset (latch) time the encoder sends after the data.
const (
	T0H       = 400 * time.Nanosecond
	T0L       = 850 * time.Nanosecond
	T1H       = 800 * time.Nanosecond
	T1L       = 450 * time.Nanosecond
	Tolerance = 150 * time.Nanosecond
	ResetTime = 80 * time.Microsecond // the datasheet asks for more than 50 µs
)

// TickHz is the recommended channel tick: 40 MHz (25 ns), which hits every time exactly.
const TickHz = 40_000_000

// CodesFor returns the buffer length, in pulse codes, for a chain of leds LEDs.
func CodesFor(leds int) int { return 24*leds + 1 }

// Transmitter is an RMT TX channel: *rmt.Tx or *rmt.AsyncTx.
type Transmitter interface {
	Transmit(codes []rmt.PulseCode) error
	TickHz() uint32
}

// Timing holds the pulse codes of a 0 bit, a 1 bit and the reset at one tick rate.
type Timing struct {
	Zero, One, Reset rmt.PulseCode
}

// ErrShortBuffer is Encode's error when the buffer cannot hold the frame: it needs
// 8 codes per byte and one for the reset (CodesFor).
var ErrShortBuffer = errors.New("ws2812: the code buffer is too short: it needs 8 codes per byte plus 1 (CodesFor)")

// NewTiming returns the codes at tickHz, each time rounded to the nearest tick; it fails
// when a rounded time leaves the datasheet's tolerance (a tick too coarse).
func NewTiming(tickHz uint32) (Timing, error) {
	ticks := func(d time.Duration) (uint16, bool) {
		t := (uint64(d)*uint64(tickHz) + 500_000_000) / 1_000_000_000
		got := time.Duration(t * 1_000_000_000 / uint64(tickHz))
		return uint16(t), t > 0 && t <= rmt.MaxTicks && got >= d-Tolerance && got <= d+Tolerance
	}
	t0h, ok0 := ticks(T0H)
	t0l, ok1 := ticks(T0L)
	t1h, ok2 := ticks(T1H)
	t1l, ok3 := ticks(T1L)
	if !(ok0 && ok1 && ok2 && ok3) || tickHz == 0 {
		return Timing{}, errors.New("ws2812: the channel's tick is too coarse for the WS2812's ±150 ns: use a TickHz of at least 5 MHz (ws2812.TickHz, 40 MHz, is exact)")
	}
	reset := uint64(ResetTime) * uint64(tickHz) / 1_000_000_000
	if reset > rmt.MaxTicks {
		reset = rmt.MaxTicks // 80 µs is 6,400 ticks at the fastest tick: never reached
	}
	return Timing{
		Zero:  rmt.Pulse(true, t0h, false, t0l),
		One:   rmt.Pulse(true, t1h, false, t1l),
		Reset: rmt.Pulse(false, uint16(reset), false, 0),
	}, nil
}

// Encode writes the codes of data, bytes in wire order (green, red, blue per LED), and
// the reset code into dst and returns them.
func (t Timing) Encode(dst []rmt.PulseCode, data []byte) ([]rmt.PulseCode, error) {
	if len(dst) < 8*len(data)+1 {
		return nil, ErrShortBuffer
	}
	i := 0
	for _, b := range data {
		for bit := 7; bit >= 0; bit-- {
			if b>>bit&1 != 0 {
				dst[i] = t.One
			} else {
				dst[i] = t.Zero
			}
			i++
		}
	}
	dst[i] = t.Reset
	return dst[:i+1], nil
}

// EncodeColors writes the codes of colors (green, red, blue each; alpha is ignored, as
// tinygo.org/x/drivers/ws2812 ignores it) and the reset code into dst and returns them.
func (t Timing) EncodeColors(dst []rmt.PulseCode, colors []color.RGBA) ([]rmt.PulseCode, error) {
	if len(dst) < 24*len(colors)+1 {
		return nil, ErrShortBuffer
	}
	i := 0
	for _, c := range colors {
		for _, b := range [3]uint8{c.G, c.R, c.B} {
			for bit := 7; bit >= 0; bit-- {
				if b>>bit&1 != 0 {
					dst[i] = t.One
				} else {
					dst[i] = t.Zero
				}
				i++
			}
		}
	}
	dst[i] = t.Reset
	return dst[:i+1], nil
}

// Device is a WS2812 chain on an RMT TX channel, with its code buffer.
type Device struct {
	tx     Transmitter
	timing Timing
	buf    []rmt.PulseCode
}

// New returns a chain driven by tx, encoding into buf (CodesFor(n) codes for n LEDs).
func New(tx Transmitter, buf []rmt.PulseCode) (*Device, error) {
	t, err := NewTiming(tx.TickHz())
	if err != nil {
		return nil, err
	}
	return &Device{tx: tx, timing: t, buf: buf}, nil
}

// Timing returns the codes the device sends.
func (d *Device) Timing() Timing { return d.timing }

// EncodeColors encodes colors into the device's buffer and returns the codes, for an
// rmt.AsyncTx's AwaitTransmit.
func (d *Device) EncodeColors(colors []color.RGBA) ([]rmt.PulseCode, error) {
	return d.timing.EncodeColors(d.buf, colors)
}

// Encode encodes bytes in wire order into the device's buffer and returns the codes.
func (d *Device) Encode(data []byte) ([]rmt.PulseCode, error) { return d.timing.Encode(d.buf, data) }

// WriteColors sends colors to the chain (blocking), the first colour to the first LED.
func (d *Device) WriteColors(colors []color.RGBA) error {
	codes, err := d.EncodeColors(colors)
	if err != nil {
		return err
	}
	return d.tx.Transmit(codes)
}

// Write sends bytes in wire order (green, red, blue per LED), as
// tinygo.org/x/drivers/ws2812's Write: it returns len(data) once sent.
func (d *Device) Write(data []byte) (int, error) {
	codes, err := d.Encode(data)
	if err != nil {
		return 0, err
	}
	if err := d.tx.Transmit(codes); err != nil {
		return 0, err
	}
	return len(data), nil
}
