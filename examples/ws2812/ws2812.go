// Command ws2812 animates WS2812 LEDs on GPIO8 (the ESP32-C3-DevKitM-1's board LED is the
// first of the chain; a strip wired after it shows the rest) with a colour wheel through
// the RMT: a frame every 20 ms for 3 s, each sent with AwaitTransmit from a straight-line
// task while the core sleeps, the RMT's 48-word RAM refilled by its interrupt handler.
//
//	go run ./examples/ws2812                        # on the ESP32-C3 simulator, virtual time
//	go run ./examples/ws2812 -realtime              # paced to the wall clock
//	tinygo build -target=esp32c3 ./examples/ws2812  # for the chip
//
// On the host a simulated chain of 12 WS2812s hangs on GPIO8; the summary says which
// colours it shows at the end. Output goes to UART0 (GPIO21).
package main

import (
	"image/color"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/rmt"
	"github.com/gohal/gohal/hal/rmt/ws2812"
	"github.com/gohal/gohal/hal/uart"
)

const (
	leds     = 12
	ledPin   = 8
	period   = 20 * async.Millisecond
	frames   = 150 // 3 s
	stepSize = 3   // wheel positions per frame
)

// buffers are static: the frame's colours and its pulse codes (24 per LED and the reset).
var (
	colours [leds]color.RGBA
	codes   [24*leds + 1]rmt.PulseCode
)

// wheel sets colours to the colour wheel, rotated by k positions of 256.
func wheel(k int) {
	for i := range colours {
		pos := byte((i*256/leds + k) & 0xFF)
		switch {
		case pos < 85:
			colours[i] = color.RGBA{R: 255 - pos*3, G: pos * 3, A: 255}
		case pos < 170:
			pos -= 85
			colours[i] = color.RGBA{G: 255 - pos*3, B: pos * 3, A: 255}
		default:
			pos -= 170
			colours[i] = color.RGBA{R: pos * 3, B: 255 - pos*3, A: 255}
		}
	}
}

// stats are what the firmware did, for the host's summary and the test.
var stats struct {
	Frames    int
	LastShift int
	FrameUs   int64 // one frame's AwaitTransmit, in µs
	Err       error
}

func firmware() {
	stats.Frames, stats.Err = 0, nil
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)
	tx, err := rmt.NewTx(p.RMT0, p.GPIO8, rmt.TxConfig{TickHz: ws2812.TickHz})
	check(err)
	atx := tx.IntoAsync()
	dev, err := ws2812.New(atx, codes[:])
	check(err)
	con.S("ws2812: ").D(leds).S(" LEDs on GPIO").D(ledPin).S(", a frame every 20 ms for 3 s").NL()

	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 1})
	check(err)
	_, err = ex.Spawner().SpawnNamed("wheel", async.Go(func(t *async.T) {
		next := async.Now()
		for f := 0; f < frames; f++ {
			wheel(f * stepSize)
			c, err := dev.EncodeColors(colours[:])
			if err == nil {
				start := async.Now()
				err = atx.AwaitTransmit(t, c)
				stats.FrameUs = int64(async.Now().Sub(start))
			}
			if err != nil {
				stats.Err = err
				return
			}
			stats.Frames++
			stats.LastShift = f * stepSize
			next = next.Add(period)
			async.SleepUntil(t, next)
		}
	}), 0)
	check(err)
	ex.Run()
	ex.Close()
	con.S("ws2812: ").D(int64(stats.Frames)).S(" frames sent, ").D(stats.FrameUs).S(" us each; LED 0 is #")
	hex(hex(hex(con, colours[0].R), colours[0].G), colours[0].B).NL()
	u.Flush()
	atx.Close()
	u.Close()
}

func hex(c *console.Console, b byte) *console.Console {
	const digits = "0123456789abcdef"
	return c.S(digits[b>>4 : b>>4+1]).S(digits[b&15 : b&15+1])
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}
