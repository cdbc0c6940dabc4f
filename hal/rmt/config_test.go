//go:build !tinygo

package rmt_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/internal/haltest"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/rmt"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func TestConfigErrorsNameTheNearestReachableValue(t *testing.T) {
	errs := map[string]error{}
	var carrierDuty uint32
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		_, errs["tick"] = rmt.NewTx(p.RMT0, p.GPIO2, rmt.TxConfig{TickHz: 3_000_000})
		_, errs["slow"] = rmt.NewTx(p.RMT0, p.GPIO2, rmt.TxConfig{TickHz: 100_000})
		_, errs["fast"] = rmt.NewRx(p.RMT2, p.GPIO2, rmt.RxConfig{TickHz: 100_000_000})
		_, errs["rxOnTx"] = rmt.NewRx(p.RMT1, p.GPIO2, rmt.RxConfig{})
		_, errs["txOnRx"] = rmt.NewTx(p.RMT3, p.GPIO2, rmt.TxConfig{})
		_, errs["carrier"] = rmt.NewTx(p.RMT0, p.GPIO2, rmt.TxConfig{CarrierHz: 38_100})
		_, errs["idle"] = rmt.NewRx(p.RMT2, p.GPIO2, rmt.RxConfig{IdleThreshold: 40000})
		tx, err := rmt.NewTx(p.RMT0, p.GPIO2, rmt.TxConfig{TickHz: 2_962_962, CarrierHz: 38_004, CarrierDutyPercent: 33})
		errs["ok"] = err
		carrierDuty = uint32(esp32c3.RMT.CHCARRIER_DUTY[0].Read())
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errs["inUse"] = rmt.NewTx(p.RMT0, p.GPIO3, rmt.TxConfig{})
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errs["pinInUse"] = rmt.NewTx(p.RMT1, p.GPIO2, rmt.TxConfig{})
		long := make([]rmt.PulseCode, 60)
		for i := range long {
			long[i] = rmt.Pulse(true, 1, false, 1)
		}
		errs["loop"] = tx.Loop(long, 2)
		errs["rounds"] = tx.Loop([]rmt.PulseCode{rmt.Pulse(true, 1, false, 1)}, 1024)
		errs["empty"] = tx.Transmit(nil)
		tx.Close()
		_, errs["again"] = rmt.NewTx(p.RMT1, p.GPIO2, rmt.TxConfig{})
	})
	assert.EqualError(t, errs["tick"], "rmt: RMT0: TickHz 3000000 is not reachable: a tick is the 80 MHz APB divided by 1..256; the nearest is 2962962 Hz (80 MHz / 27)")
	assert.EqualError(t, errs["slow"], "rmt: RMT0: TickHz 100000 is not reachable: a tick is the 80 MHz APB divided by 1..256; the nearest is 312500 Hz (80 MHz / 256)")
	assert.EqualError(t, errs["fast"], "rmt: RMT2: TickHz 100000000 is not reachable: a tick is the 80 MHz APB divided by 1..256; the nearest is 80000000 Hz (80 MHz / 1)")
	assert.EqualError(t, errs["rxOnTx"], "rmt: RMT1: channels 0 and 1 transmit on the ESP32-C3; receive on RMT2 or RMT3")
	assert.EqualError(t, errs["txOnRx"], "rmt: RMT3: channels 2 and 3 receive on the ESP32-C3; transmit on RMT0 or RMT1")
	assert.EqualError(t, errs["carrier"], "rmt: RMT0: CarrierHz 38100 is not reachable: a carrier period is 2..131070 cycles of 80 MHz; the nearest is 38095 Hz (80 MHz / 2100)")
	assert.EqualError(t, errs["idle"], "rmt: RMT2: IdleThreshold 40000 exceeds the 15-bit field: at most 32767 ticks")
	require.NoError(t, errs["ok"])
	assert.Equal(t, uint32(694<<16|(2105-694)), carrierDuty, "38 kHz is 2105 cycles of 80 MHz, 33% high")
	var inUse *periph.InUseError
	require.True(t, errors.As(errs["inUse"], &inUse))
	assert.Equal(t, "RMT0", inUse.Resource)
	require.True(t, errors.As(errs["pinInUse"], &inUse))
	assert.Equal(t, "GPIO2 is already in use by RMT0 TX (wanted by RMT1 TX)", inUse.Error())
	assert.EqualError(t, errs["loop"], "rmt: RMT0: a loop's codes must fit the channel's RAM: 48 words with the end code, not 60")
	assert.EqualError(t, errs["rounds"], "rmt: RMT0: Loop rounds must be 0 (until Stop) or 1..1023, not 1024")
	assert.ErrorIs(t, errs["empty"], rmt.ErrEmpty)
	assert.NoError(t, errs["again"], "Close released the pin")
}

func TestConsumedDriversPanicNamingWhatConsumedThem(t *testing.T) {
	var msgs []string
	run(t, nil, func(c *sim.Chip, p *hal.Peripherals) {
		tx := haltest.Must(rmt.NewTx(p.RMT0, p.GPIO2, rmt.TxConfig{}))
		atx := tx.IntoAsync()
		msgs = append(msgs, haltest.PanicMessage(func() { tx.Transmit([]rmt.PulseCode{rmt.End}) }))
		back := atx.IntoBlocking()
		msgs = append(msgs, haltest.PanicMessage(func() { atx.Stop() }))
		back.Close()
		msgs = append(msgs, haltest.PanicMessage(func() { back.Channel() }))
		rx := haltest.Must(rmt.NewRx(p.RMT3, p.GPIO3, rmt.RxConfig{}))
		rx.IntoAsync().Close()
		msgs = append(msgs, haltest.PanicMessage(func() { rx.Receive(nil) }))
	})
	assert.Equal(t, []string{
		"rmt: RMT0 Tx used after IntoAsync consumed it",
		"rmt: RMT0 AsyncTx used after IntoBlocking consumed it",
		"rmt: RMT0 Tx used after Close",
		"rmt: RMT3 Rx used after IntoAsync consumed it",
	}, msgs)
}

func TestWaveformLoopsIdleLevelAndStop(t *testing.T) {
	var w *sim.PinWatch
	var errLoop, errTx, errBusy error
	var busyAfterStop bool
	c := run(t, func(c *sim.Chip) { w = c.GPIO().Watch(6) }, func(c *sim.Chip, p *hal.Peripherals) {
		tx := haltest.Must(rmt.NewTx(p.RMT1, p.GPIO6, rmt.TxConfig{TickHz: 1_000_000, IdleHigh: true}))
		// 3 µs low, 2 µs high, then the end: idles high.
		errTx = tx.Transmit([]rmt.PulseCode{rmt.Pulse(false, 3, true, 2), rmt.End})
		errLoop = tx.Loop([]rmt.PulseCode{rmt.Pulse(false, 1, true, 4)}, 3)
		haltest.Must(0, tx.Loop([]rmt.PulseCode{rmt.Pulse(false, 10, true, 10)}, 0))
		errBusy = tx.Transmit([]rmt.PulseCode{rmt.Pulse(false, 1, true, 1)})
		for i := 0; i < 1000; i++ {
			esp32c3.RMT.DATE.Read() // let 50 µs pass: 2.5 rounds
		}
		tx.Stop()
		busyAfterStop = c.RMT().Busy(1)
	})
	require.NoError(t, errTx)
	require.NoError(t, errLoop)
	assert.ErrorIs(t, errBusy, rmt.ErrBusy)
	assert.False(t, busyAfterStop)
	edges := w.Edges()
	var levels []bool
	var gaps []time.Duration
	for i, e := range edges {
		levels = append(levels, e.Level)
		if i > 0 {
			gaps = append(gaps, e.At-edges[i-1].At)
		}
	}
	require.GreaterOrEqual(t, len(gaps), 10)
	// Idle high (set up) → low 3 µs → high (2 µs, then idle: no edge) → the loop: low 1,
	// high 4, three times.
	assert.False(t, levels[0])
	assert.Equal(t, 3*time.Microsecond, gaps[0])
	us := time.Microsecond
	assert.Equal(t, []time.Duration{us, 4 * us, us, 4 * us, us}, gaps[2:7])
	trs := c.RMT().Transmissions(1)
	require.Len(t, trs, 3)
	assert.Equal(t, 5*time.Microsecond, trs[0].End-trs[0].Start)
	assert.Equal(t, 3, trs[1].Rounds)
	assert.Equal(t, 15*time.Microsecond, trs[1].End-trs[1].Start, "3 rounds of 5 µs")
	assert.True(t, trs[2].Stopped)
	assert.True(t, edges[len(edges)-1].Level, "back at the idle level after Stop")
}
