package hal_test

import (
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func run(t *testing.T, firmware func()) {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	require.NoError(t, sim.New(sim.Log(io.Discard)).Run(firmware))
}

func TestInitOnceAndWatchdogsOff(t *testing.T) {
	var p *hal.Peripherals
	var err1, err2 error
	var rtcWDT, swd, wdt0, wdt1 uint32
	run(t, func() {
		p, err1 = hal.Init(hal.Config{})
		_, err2 = hal.Init(hal.Config{})
		rtcWDT = uint32(esp32c3.RTC_CNTL.RTC_WDTCONFIG0.Read())
		swd = uint32(esp32c3.RTC_CNTL.RTC_SWD_CONF.Read())
		wdt0 = uint32(esp32c3.TIMG0.WDTCONFIG0.Read())
		wdt1 = uint32(esp32c3.TIMG1.WDTCONFIG0.Read())
	})
	require.NoError(t, err1)
	require.True(t, errors.Is(err2, hal.ErrAlreadyInitialized), "second Init: %v", err2)
	require.Equal(t, "GPIO21", p.GPIO21.String())
	require.Equal(t, 2, p.SPI2.Number())
	require.Equal(t, 3, p.SoftwareInterrupts[3].Number())
	require.Zero(t, rtcWDT, "RTC watchdog disabled")
	require.NotZero(t, swd&(1<<31), "super watchdog auto-fed")
	require.Zero(t, wdt0&(1<<31), "TIMG0 watchdog disabled")
	require.Zero(t, wdt1&(1<<31), "TIMG1 watchdog disabled")
}

func TestKeepWatchdogs(t *testing.T) {
	var before, after uint32
	run(t, func() {
		before = uint32(esp32c3.RTC_CNTL.RTC_WDTCONFIG0.Read())
		_, err := hal.Init(hal.Config{Watchdogs: hal.KeepWatchdogs, NoTimeDriver: true})
		require.NoError(t, err)
		after = uint32(esp32c3.RTC_CNTL.RTC_WDTCONFIG0.Read())
	})
	require.Equal(t, before, after)
}

func TestClaimNamesTheOwner(t *testing.T) {
	periph.ResetForTest()
	t.Cleanup(periph.ResetForTest)
	require.NoError(t, periph.Claim(periph.KindPin, 5, "UART0 TX"))
	err := periph.Claim(periph.KindPin, 5, "I2C0 SDA")
	var inUse *periph.InUseError
	require.ErrorAs(t, err, &inUse)
	require.Equal(t, "GPIO5 is already in use by UART0 TX (wanted by I2C0 SDA)", err.Error())
	periph.Release(periph.KindPin, 5)
	require.NoError(t, periph.Claim(periph.KindPin, 5, "I2C0 SDA"))
	require.ErrorIs(t, periph.Claim(periph.KindPin, 22, "x"), periph.ErrNoSuchResource)
	err = periph.ClaimPins([]periph.Pin{periph.StealPin(1), periph.StealPin(5)}, []string{"SPI2 SCK", "SPI2 MOSI"})
	require.Error(t, err)
	require.Empty(t, periph.Owner(periph.KindPin, 1), "all or nothing")
}
