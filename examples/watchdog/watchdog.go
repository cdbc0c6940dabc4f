// Command watchdog arms timer group 0's main watchdog (MWDT0) for 250 ms, feeds it every
// 100 ms five times, then hangs (it waits for a flag nothing sets) and stops feeding: 250 ms
// after the last feed the watchdog resets the system, reset cause TG0WDT_SYS_RESET.
//
//	go run ./examples/watchdog                          # on the ESP32-C3 simulator
//	tinygo build -target=esp32c3 ./examples/watchdog    # for the chip
//
// On the simulator the run ends at the reset, which the simulator reports with its cause
// and virtual time. On the chip the ROM boots the firmware again after the reset: that run
// reads the reset cause (wdt.ResetCause), sees the watchdog's, says so and stops.
//
// Output goes to UART0 (GPIO21) through hal/uart; on the host the simulator prints it.
package main

import (
	"time"

	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/timer"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/hal/wdt"
)

const (
	timeout = 250 * time.Millisecond
	period  = 100 // ms between feeds
	feeds   = 5
)

// hung is the flag the hanging loop waits for; nothing sets it.
var hung bool

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)

	cause := wdt.ResetCause()
	con.S("watchdog: reset cause ").S(cause.String()).NL()
	if cause.Watchdog() {
		con.S("watchdog: the last run hung and the watchdog reset the chip; stopping").NL()
		u.Flush()
		return
	}

	w, err := wdt.NewMWDT(p.MWDT0, wdt.Config{Timeout: timeout, Action: wdt.ResetSystem})
	check(err)
	con.S("watchdog: MWDT0 armed, ").D(w.Timeout().Milliseconds()).S(" ms timeout, system reset").NL()
	w.Enable()
	start := systimer.Now()
	for i := 1; i <= feeds; i++ {
		timer.Delay{}.DelayMs(period)
		w.Feed()
		con.S("feed ").D(int64(i)).S(" at ").D(systimer.Now().Sub(start).Millis()).S(" ms").NL()
	}
	con.S("watchdog: hanging (no more feeds); the reset is due ").D(w.Timeout().Milliseconds()).S(" ms after the last feed").NL()
	u.Flush()
	for !hung {
		timer.Delay{}.DelayUs(100)
	}
	con.S("watchdog: still running: the watchdog did not fire").NL()
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}
