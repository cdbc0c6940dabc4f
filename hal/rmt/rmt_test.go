//go:build !tinygo

package rmt_test

import (
	"image/color"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/internal/haltest"
	"github.com/gohal/gohal/hal/rmt"
	"github.com/gohal/gohal/hal/rmt/ws2812"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs firmware after hal.Init on a fresh simulated chip (haltest.Run).
func run(t *testing.T, setup func(c *sim.Chip), firmware func(c *sim.Chip, p *hal.Peripherals)) *sim.Chip {
	t.Helper()
	return haltest.Run(t, setup, firmware)
}

// wheel returns n colours around the colour wheel, shifted by k.
func wheel(n, k int) []color.RGBA {
	out := make([]color.RGBA, n)
	for i := range out {
		pos := byte((i*256/n + k) & 0xFF)
		switch {
		case pos < 85:
			out[i] = color.RGBA{R: 255 - pos*3, G: pos * 3, A: 255}
		case pos < 170:
			pos -= 85
			out[i] = color.RGBA{G: 255 - pos*3, B: pos * 3, A: 255}
		default:
			pos -= 170
			out[i] = color.RGBA{R: pos * 3, B: 255 - pos*3, A: 255}
		}
	}
	return out
}

func rgb(cs []color.RGBA) []sim.RGB {
	out := make([]sim.RGB, len(cs))
	for i, c := range cs {
		out[i] = sim.RGB{R: c.R, G: c.G, B: c.B}
	}
	return out
}

const leds = 12

func TestWS2812ChainGetsTheColoursSent(t *testing.T) {
	var chain *sim.WS2812Chain
	colours := wheel(leds, 0)
	var errWrite error
	var took time.Duration
	c := run(t, func(c *sim.Chip) { chain = c.AttachWS2812(8, leds) }, func(c *sim.Chip, p *hal.Peripherals) {
		tx := haltest.Must(rmt.NewTx(p.RMT0, p.GPIO8, rmt.TxConfig{TickHz: ws2812.TickHz}))
		defer tx.Close()
		dev := haltest.Must(ws2812.New(tx, make([]rmt.PulseCode, ws2812.CodesFor(leds))))
		start := c.Now()
		errWrite = dev.WriteColors(colours)
		took = c.Now() - start
	})
	require.NoError(t, errWrite)
	assert.Empty(t, chain.Errors())
	assert.Equal(t, rgb(colours), chain.Colors(), "GRB on the wire, RGB in the LEDs")
	assert.Equal(t, 1, chain.Frames())
	trs := c.RMT().Transmissions(0)
	require.Len(t, trs, 1)
	assert.Equal(t, ws2812.CodesFor(leds), trs[0].Codes)
	start, end, extra := chain.LastFrame()
	assert.Zero(t, extra)
	frame := end - start
	// 287 bits of 1.25 µs, then the last bit's high time (its low time merges into the
	// reset): the last bit is blue's LSB.
	last := ws2812.T0H
	if colours[leds-1].B&1 != 0 {
		last = ws2812.T1H
	}
	assert.Equal(t, 287*1250*time.Nanosecond+last, frame, "frame time at 25 ns ticks is exact")
	assert.Equal(t, 288*1250*time.Nanosecond+ws2812.ResetTime, trs[0].End-trs[0].Start, "transmission: the bits and the reset")
	t.Logf("12-LED frame: data %v (first rise to last bit's fall), RMT transmission %v with the %v reset; Transmit returned after %v",
		frame, trs[0].End-trs[0].Start, ws2812.ResetTime, took)
}

// pollCounter is a task that awaits a TxFuture and counts its polls: one to start, one
// per wake.
type pollCounter struct {
	f     *rmt.TxFuture
	polls int
	err   error
}

func (p *pollCounter) Poll(cx *async.Context) bool {
	p.polls++
	err, done := p.f.Poll(cx)
	p.err = err
	return done
}

func TestAsyncTransmitWakesOnceByInterrupt(t *testing.T) {
	var chain *sim.WS2812Chain
	colours := wheel(leds, 40)
	task := &pollCounter{}
	var idle, total uint64
	c := run(t, func(c *sim.Chip) { chain = c.AttachWS2812(8, leds) }, func(c *sim.Chip, p *hal.Peripherals) {
		tx := haltest.Must(rmt.NewTx(p.RMT0, p.GPIO8, rmt.TxConfig{TickHz: ws2812.TickHz}))
		atx := tx.IntoAsync()
		defer atx.Close()
		dev := haltest.Must(ws2812.New(atx, make([]rmt.PulseCode, ws2812.CodesFor(leds))))
		codes := haltest.Must(dev.EncodeColors(colours))
		f := atx.TransmitAsync(codes)
		task.f = &f
		ex := haltest.Must(executor.Thread(executor.Options{}))
		defer ex.Close()
		haltest.Must(ex.Spawner().Spawn(task))
		ex.Run()
		idle, total = ex.IdleCycles()
	})
	require.NoError(t, task.err)
	assert.Equal(t, rgb(colours), chain.Colors())
	assert.Empty(t, chain.Errors())
	// The 289 codes need 11 refills of 24 words; the handler does them, so the task is
	// polled twice: to start, and once woken by TX_END.
	assert.Equal(t, 2, task.polls, "polls")
	assert.Greater(t, float64(idle)/float64(total), 0.5, "the core sleeps while the RMT sends")
	require.Len(t, c.RMT().Transmissions(0), 1)
	t.Logf("async 12-LED frame: %d polls; core idle %.0f%% of the executor's run", task.polls, 100*float64(idle)/float64(total))
}

func TestAwaitTransmitAndBlockingTransmitAllocateNothing(t *testing.T) {
	var chain *sim.WS2812Chain
	var blocking, awaited, local float64
	var frames int
	run(t, func(c *sim.Chip) { chain = c.AttachWS2812(8, leds) }, func(c *sim.Chip, p *hal.Peripherals) {
		tx := haltest.Must(rmt.NewTx(p.RMT0, p.GPIO8, rmt.TxConfig{TickHz: ws2812.TickHz}))
		dev := haltest.Must(ws2812.New(tx, make([]rmt.PulseCode, ws2812.CodesFor(leds))))
		colours := wheel(leds, 0)
		k := 0
		step := func() {
			k++
			colours[k%leds].R = byte(k)
			if err := dev.WriteColors(colours); err != nil {
				panic(err)
			}
		}
		step()
		blocking = testing.AllocsPerRun(50, step)
		for i := 0; i < 2; i++ {
			blocking = min(blocking, testing.AllocsPerRun(50, step))
		}

		atx := tx.IntoAsync()
		defer atx.Close()
		adev := haltest.Must(ws2812.New(atx, make([]rmt.PulseCode, ws2812.CodesFor(leds))))
		ex := haltest.Must(executor.Thread(executor.Options{Tasks: 1}))
		defer ex.Close()
		haltest.Must(ex.Spawner().Spawn(async.Go(func(tk *async.T) {
			await := func() {
				k++
				colours[k%leds].G = byte(k)
				if err := atx.AwaitTransmit(tk, haltest.Must(adev.EncodeColors(colours))); err != nil {
					panic(err)
				}
			}
			await()
			await()
			awaited = testing.AllocsPerRun(50, await)
			for i := 0; i < 2; i++ {
				awaited = min(awaited, testing.AllocsPerRun(50, await))
			}
			// The control: a future in the task's own variable escapes (async.Await takes
			// an interface), which the measurement must see.
			local = testing.AllocsPerRun(20, func() {
				k++
				f := atx.TransmitAsync(haltest.Must(adev.EncodeColors(colours)))
				if err := async.Await[error](tk, &f); err != nil {
					panic(err)
				}
			})
		})))
		ex.Run()
		frames = k
	})
	assert.Empty(t, chain.Errors())
	assert.Equal(t, frames, chain.Frames())
	t.Logf("allocations per 12-LED frame: blocking WriteColors %.2f, AwaitTransmit %.2f, a local future %.2f (%d frames)", blocking, awaited, local, frames)
	assert.GreaterOrEqual(t, local, 0.75, "the measurement sees the local future's allocation")
	assert.Zero(t, blocking, "blocking transmit (289 codes, 11 refills)")
	assert.Zero(t, awaited, "AwaitTransmit (refills in the handler)")
}

func TestOutOfToleranceTimingIsRejectedAndTheLEDKeepsItsColour(t *testing.T) {
	var chain *sim.WS2812Chain
	first, second := wheel(3, 0), wheel(3, 100)
	var errs [2]error
	run(t, func(c *sim.Chip) { chain = c.AttachWS2812(8, 3) }, func(c *sim.Chip, p *hal.Peripherals) {
		tx := haltest.Must(rmt.NewTx(p.RMT0, p.GPIO8, rmt.TxConfig{TickHz: ws2812.TickHz}))
		dev := haltest.Must(ws2812.New(tx, make([]rmt.PulseCode, ws2812.CodesFor(3))))
		errs[0] = dev.WriteColors(first)
		codes := haltest.Must(dev.EncodeColors(second))
		// LED 1's bit 5 (green) gets a 600 ns high time: neither a 0 (400 ± 150) nor a 1
		// (800 ± 150).
		codes[24+5] = rmt.Pulse(true, 24, false, 26)
		// LED 2's bit 10 gets a 0's high time with a 1's low time (450 ns; T0L is 850 ± 150).
		codes[48+10] = rmt.Pulse(true, 16, false, 18)
		errs[1] = tx.Transmit(codes)
	})
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	got := chain.Colors()
	assert.Equal(t, rgb(second)[0], got[0], "LED 0's bits were good")
	assert.Equal(t, rgb(first)[1], got[1], "LED 1 keeps its colour")
	assert.Equal(t, rgb(first)[2], got[2], "LED 2 keeps its colour")
	errsSeen := chain.Errors()
	require.Len(t, errsSeen, 2)
	assert.Equal(t, 1, errsSeen[0].LED)
	assert.Equal(t, 5, errsSeen[0].Bit)
	assert.Contains(t, errsSeen[0].Error(), "high time 600ns is neither T0H 400ns nor T1H 800ns")
	assert.Equal(t, 2, errsSeen[1].LED)
	assert.Equal(t, 10, errsSeen[1].Bit)
	assert.Contains(t, errsSeen[1].Error(), "a 0 bit's low time is 450ns; T0L is 850ns ± 150ns")
	t.Log(errsSeen[0].Error())
}

// drivePulses makes the outside world drive pin with the codes' levels from at on, then
// low; ticks are µs.
func drivePulses(c *sim.Chip, pin int, at time.Duration, codes []rmt.PulseCode) {
	g := c.GPIO()
	for _, code := range codes {
		g.DriveAt(at, pin, code.Level0())
		at += time.Duration(code.Duration0()) * time.Microsecond
		if code.Duration1() == 0 {
			break
		}
		g.DriveAt(at, pin, code.Level1())
		at += time.Duration(code.Duration1()) * time.Microsecond
	}
	g.DriveAt(at, pin, false)
}

func TestReceiveDecodesPulsesOnItsPin(t *testing.T) {
	frame := []rmt.PulseCode{
		rmt.Pulse(true, 90, false, 45), rmt.Pulse(true, 56, false, 17),
		rmt.Pulse(true, 1000, false, 300), rmt.Pulse(true, 5, false, 0),
	}
	buf, abuf, short := make([]rmt.PulseCode, rmt.RAMWords), make([]rmt.PulseCode, rmt.RAMWords), make([]rmt.PulseCode, 2)
	var n, an, sn int
	var errRx, errARx, errShort, errTimeout error
	run(t, func(c *sim.Chip) {
		c.GPIO().DriveAt(0, 5, false)
		drivePulses(c, 5, time.Millisecond, frame)
		drivePulses(c, 5, 20*time.Millisecond, frame[1:])
		drivePulses(c, 5, 26*time.Millisecond, frame)
	}, func(c *sim.Chip, p *hal.Peripherals) {
		rx := haltest.Must(rmt.NewRx(p.RMT2, p.GPIO5, rmt.RxConfig{TickHz: 1_000_000, IdleThreshold: 2000, Timeout: 10 * time.Millisecond}))
		n, errRx = rx.Receive(buf)
		arx := rx.IntoAsync()
		ex := haltest.Must(executor.Thread(executor.Options{Tasks: 1}))
		haltest.Must(ex.Spawner().Spawn(async.Go(func(tk *async.T) {
			an, errARx = arx.AwaitReceive(tk, abuf)
		})))
		ex.Run()
		ex.Close()
		sn, errShort = arx.Receive(short)
		_, errTimeout = arx.Receive(buf) // nothing more comes
		arx.Close()
	})
	require.NoError(t, errRx)
	require.Equal(t, len(frame), n)
	assert.Equal(t, frame, buf[:n], "the last code holds the idle level with duration 0")
	require.NoError(t, errARx)
	assert.Equal(t, frame[1:], abuf[:an])
	assert.ErrorIs(t, errShort, rmt.ErrShortBuffer)
	assert.Equal(t, 2, sn)
	assert.Equal(t, frame[:2], short)
	assert.ErrorIs(t, errTimeout, rmt.ErrTimeout)
}
