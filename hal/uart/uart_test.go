//go:build !tinygo

package uart_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs firmware on a fresh simulated chip (virtual-time limit 10 s) and fails the test
// on any simulator error. Firmware records what it sees; the test asserts afterwards.
func run(t *testing.T, firmware func(c *sim.Chip), opts ...sim.Option) *sim.Chip {
	t.Helper()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(append([]sim.Option{sim.Log(io.Discard), sim.Timeout(10 * time.Second)}, opts...)...)
	require.NoError(t, c.Run(func() { firmware(c) }))
	return c
}

// initHAL is hal.Init without the time driver (blocking tests need none).
func initHAL() *hal.Peripherals {
	p, err := hal.Init(hal.Config{NoTimeDriver: true})
	if err != nil {
		panic(err)
	}
	return p
}

// frame is the duration of one 8N1 frame at 115200 baud from XTAL with esp-hal's divider
// (CLKDIV 347, FRAG 3): 10 bits × 5555/16 / 40 MHz.
const frame = time.Duration(10 * 5555 * 1000 / 16 / 40) // ns

func TestBaudDividerMatchesEspHal(t *testing.T) {
	var clkdiv, frag, divNum, sel uint32
	var baud, apbBaud int
	run(t, func(c *sim.Chip) {
		p := initHAL()
		u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		r := esp32c3.UART0
		clkdiv, frag = r.CLKDIV.Read().CLKDIV(), r.CLKDIV.Read().FRAG()
		divNum, sel = r.CLK_CONF.Read().SCLK_DIV_NUM(), r.CLK_CONF.Read().SCLK_SEL()
		baud = u.Baud()
		u1, err := uart.New(p.UART1, uart.Config{Baud: 300, Clock: uart.ClockAPB}, p.GPIO4, p.GPIO5)
		if err != nil {
			panic(err)
		}
		apbBaud = u1.Baud()
	})
	// esp32c3-facts.md §6: 115200 from XTAL is DIV_NUM 0, CLKDIV 347, FRAG 3.
	assert.Equal(t, []uint32{0, 347, 3, 3}, []uint32{divNum, clkdiv, frag, sel})
	assert.Equal(t, 115212, baud) // 16·40 MHz / 5555
	assert.Equal(t, 300, apbBaud)
}

func TestUnreachableBaudNamesTheNearestRate(t *testing.T) {
	cases := []struct {
		cfg  uart.Config
		want string
		near int
	}{
		{uart.Config{Baud: 6_000_000}, "uart: 6000000 baud is above the ESP32-C3 UART's maximum of 5000000 baud from the XTAL (40 MHz) clock; the nearest reachable rate is 5000000 baud", 5_000_000},
		{uart.Config{Baud: 10}, "uart: 10 baud is below the slowest rate the divider reaches (SCLK_DIV_NUM 255, CLKDIV 4095) from the XTAL (40 MHz) clock; the nearest reachable rate is 39 baud", 39},
		{uart.Config{Baud: 50, Clock: uart.ClockAPB}, "uart: 50 baud is below the slowest rate the divider reaches (SCLK_DIV_NUM 255, CLKDIV 4095) from the APB (80 MHz) clock; the nearest reachable rate is 77 baud", 77},
		{uart.Config{Baud: 3_700_000, BaudTolerancePPM: 5000}, "uart: 3700000 baud is not reachable within the tolerance of 0.50% from the XTAL (40 MHz) clock: the nearest reachable rate is 3720930 baud (0.57% off)", 3_720_930},
	}
	for _, tc := range cases {
		var err error
		run(t, func(c *sim.Chip) {
			p := initHAL()
			_, err = uart.New(p.UART0, tc.cfg, p.GPIO21, p.GPIO20)
		})
		var be *uart.BaudError
		require.ErrorAs(t, err, &be, "%+v", tc.cfg)
		assert.Equal(t, tc.want, err.Error())
		assert.Equal(t, tc.near, be.Nearest)
	}
	// The nearest rates are reachable, and the default 2% tolerance takes 3.7 MBaud.
	for _, cfg := range []uart.Config{{Baud: 5_000_000}, {Baud: 39}, {Baud: 77, Clock: uart.ClockAPB}, {Baud: 3_700_000}} {
		var err error
		run(t, func(c *sim.Chip) {
			p := initHAL()
			_, err = uart.New(p.UART0, cfg, p.GPIO21, p.GPIO20)
		})
		assert.NoError(t, err, "%+v", cfg)
	}
}

func TestConfigErrorsNameTheProblem(t *testing.T) {
	cases := []struct {
		cfg  uart.Config
		want string
	}{
		{uart.Config{DataBits: 9}, "uart: Config.DataBits 9 is out of range: 5..8"},
		{uart.Config{RxFIFOFullThreshold: 129}, "uart: Config.RxFIFOFullThreshold 129 is out of range: 1..128"},
		{uart.Config{TxFIFOEmptyThreshold: 128}, "uart: Config.TxFIFOEmptyThreshold 128 is out of range: 1..127"},
		{uart.Config{RxTimeout: 100, Parity: uart.ParityEven, StopBits: uart.StopBits2},
			"uart: Config.RxTimeout of 100 symbols is 1200 bit times at 12 bits per frame; MEM_CONF.RX_TOUT_THRHD holds at most 1023 (85 symbols)"},
		{uart.Config{Baud: -5}, "uart: Config.Baud -5 is not a baud rate"},
		{uart.Config{InterruptPriority: 16}, "uart: Config.InterruptPriority 16 is out of range: 1..15"},
	}
	for _, tc := range cases {
		var err error
		run(t, func(c *sim.Chip) {
			p := initHAL()
			_, err = uart.New(p.UART0, tc.cfg, p.GPIO21, p.GPIO20)
		})
		require.ErrorIs(t, err, uart.ErrConfig)
		assert.Equal(t, tc.want, err.Error())
	}
}

func TestPinsAndUARTAreOwned(t *testing.T) {
	var errPin, errUART, errSame, errAfterClose error
	var owner string
	run(t, func(c *sim.Chip) {
		p := initHAL()
		u0, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errPin = uart.New(p.UART1, uart.Config{}, p.GPIO21, p.GPIO5)
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, errUART = uart.New(p.UART0, uart.Config{}, p.GPIO2, p.GPIO3)
		_, errSame = uart.New(p.UART1, uart.Config{}, p.GPIO2, p.GPIO2)
		owner = periph.Owner(periph.KindPin, 20)
		require.NoError(t, u0.Close())
		_, errAfterClose = uart.New(p.UART1, uart.Config{}, p.GPIO21, p.GPIO20)
	})
	assert.EqualError(t, errPin, "GPIO21 is already in use by UART0 TX (wanted by UART1 TX)")
	assert.EqualError(t, errUART, "UART0 is already in use by uart.New(UART0) (wanted by uart.New(UART0))")
	assert.ErrorIs(t, errSame, uart.ErrSamePin)
	assert.Equal(t, "UART0 RX", owner)
	assert.NoError(t, errAfterClose, "Close releases the UART and its pins")
}

// TestInitFollowsEspHal checks the registers New leaves, against esp32c3-facts.md §6 and §5.
func TestInitFollowsEspHal(t *testing.T) {
	var conf0, conf1, memConf, idle, clkConf, ena uint32
	var outSel, inSel, rxMux, clkEn uint32
	c := run(t, func(c *sim.Chip) {
		p := initHAL()
		_, err := uart.New(p.UART1, uart.Config{Baud: 9600, DataBits: 7, Parity: uart.ParityOdd, StopBits: uart.StopBits2},
			p.GPIO4, p.GPIO5)
		if err != nil {
			panic(err)
		}
		r := esp32c3.UART1
		conf0, conf1, memConf = uint32(r.CONF0.Read()), uint32(r.CONF1.Read()), uint32(r.MEM_CONF.Read())
		idle, clkConf, ena = uint32(r.IDLE_CONF.Read()), uint32(r.CLK_CONF.Read()), uint32(r.INT_ENA.Read())
		outSel = uint32(esp32c3.GPIO.FUNC_OUT_SEL_CFG[4].Read())
		inSel = uint32(esp32c3.GPIO.FUNC_IN_SEL_CFG[9].Read())
		rxMux = uint32(esp32c3.IO_MUX.GPIO[5].Read())
		clkEn = uint32(esp32c3.SYSTEM.PERIP_CLK_EN0.Read())
	})
	assert.Equal(t, uint32(1), conf0&1, "PARITY odd")
	assert.Equal(t, uint32(1), conf0>>1&1, "PARITY_EN")
	assert.Equal(t, uint32(2), conf0>>2&3, "BIT_NUM 7 bits")
	assert.Equal(t, uint32(3), conf0>>4&3, "STOP_BIT_NUM 2")
	assert.Equal(t, uint32(1), conf0>>26&1, "ERR_WR_MASK")
	assert.Zero(t, conf0&(1<<17|1<<18), "FIFO resets released")
	assert.Equal(t, uint32(119), conf1&0x1FF, "RXFIFO_FULL_THRHD = 120-1")
	assert.Equal(t, uint32(10), conf1>>9&0x1FF, "TXFIFO_EMPTY_THRHD")
	assert.Equal(t, uint32(1), conf1>>21&1, "RX_TOUT_EN")
	assert.Equal(t, uint32(110), memConf>>16&0x3FF, "RX_TOUT_THRHD = 10 symbols × 11 bits")
	assert.Zero(t, idle>>10&0x3FF, "TX_IDLE_NUM")
	assert.Equal(t, uint32(3), clkConf>>20&3, "SCLK_SEL XTAL")
	assert.Equal(t, uint32(1), clkConf>>22&1, "SCLK_EN")
	assert.Zero(t, ena)
	assert.Equal(t, uint32(9), outSel&0xFF, "GPIO4 carries U1TXD")
	assert.Zero(t, outSel&(1<<9), "the UART drives the output enable")
	assert.Equal(t, uint32(1<<6|5), inSel, "U1RXD from GPIO5 through the matrix")
	assert.Equal(t, uint32(1), rxMux>>12&7, "MCU_SEL GPIO")
	assert.Equal(t, uint32(1), rxMux>>9&1, "FUN_IE")
	assert.Equal(t, uint32(1), rxMux>>8&1, "FUN_WPU")
	assert.Equal(t, uint32(1), clkEn>>5&1, "UART1 clocked")
	assert.True(t, c.GPIO().Level(4), "TX idles high")
}

func TestBlockingWriteFlushOnTheLine(t *testing.T) {
	var flushedAt time.Duration
	var n int
	c := run(t, func(c *sim.Chip) {
		p := initHAL()
		u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		n, err = u.Write([]byte("hello, world"))
		if err != nil {
			panic(err)
		}
		if err := u.Flush(); err != nil {
			panic(err)
		}
		flushedAt = c.Now()
	})
	tx := c.UART(0).TX()
	require.Equal(t, 12, n)
	require.Equal(t, "hello, world", string(c.UART(0).TXBytes()))
	last := tx[len(tx)-1]
	assert.InDelta(t, float64(12*frame), float64(last.End-tx[0].Start), float64(time.Microsecond))
	assert.GreaterOrEqual(t, flushedAt, last.End, "Flush returns after the last stop bit")
	assert.Less(t, flushedAt, last.End+20*time.Microsecond)
}

func TestBlockingWriteMoreThanTheFIFO(t *testing.T) {
	msg := make([]byte, 1000)
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	c := run(t, func(c *sim.Chip) {
		p := initHAL()
		u, err := uart.New(p.UART0, uart.Config{Baud: 1_000_000}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		if _, err := u.Write(msg); err != nil {
			panic(err)
		}
		if err := u.Flush(); err != nil {
			panic(err)
		}
	})
	assert.Equal(t, msg, c.UART(0).TXBytes())
}

func TestBlockingReadReturnsWhatIsThere(t *testing.T) {
	var first, second string
	var at time.Duration
	run(t, func(c *sim.Chip) {
		p := initHAL()
		u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		c.UART(0).FeedAt(time.Millisecond, []byte("ping")...)
		buf := make([]byte, 64)
		n, err := u.Read(buf) // waits for the first byte
		if err != nil {
			panic(err)
		}
		at = c.Now()
		first = string(buf[:n])
		k, err := u.ReadExact(buf[:3]) // the rest of "ping", waiting for it
		if err != nil {
			panic(err)
		}
		second = string(buf[:k])
	})
	assert.Equal(t, "p", first, "Read returns as soon as one byte is there")
	assert.Equal(t, "ing", second)
	assert.InDelta(t, float64(time.Millisecond+frame), float64(at), float64(2*time.Microsecond))
}

func TestBlockingReadTimeout(t *testing.T) {
	var err error
	var n int
	var start, end time.Duration
	run(t, func(c *sim.Chip) {
		p := initHAL()
		u, e := uart.New(p.UART0, uart.Config{ReadTimeout: 5 * time.Millisecond}, p.GPIO21, p.GPIO20)
		if e != nil {
			panic(e)
		}
		start = c.Now()
		n, err = u.Read(make([]byte, 8))
		end = c.Now()
	})
	assert.Zero(t, n)
	assert.ErrorIs(t, err, uart.ErrReadTimeout)
	assert.ErrorIs(t, err, uart.ErrTimeout)
	assert.InDelta(t, float64(5*time.Millisecond), float64(end-start), float64(5*time.Microsecond))
}

func TestWriteTimeoutWhenTheClockStops(t *testing.T) {
	var err error
	run(t, func(c *sim.Chip) {
		p := initHAL()
		u, e := uart.New(p.UART0, uart.Config{Baud: 300, WriteTimeout: 20 * time.Millisecond}, p.GPIO21, p.GPIO20)
		if e != nil {
			panic(e)
		}
		// 300 baud: 128 bytes take 4.3 s to leave, so the FIFO stays full for longer than
		// the timeout.
		_, err = u.Write(make([]byte, 200))
	})
	assert.ErrorIs(t, err, uart.ErrWriteTimeout)
}

// TestReceiveErrorsAreReported: parity, framing and overflow errors come out of Read as
// RxError values, in esp-hal's order, and the good data is still there afterwards.
func TestReceiveErrorsAreReported(t *testing.T) {
	var errs []error
	var data []string
	run(t, func(c *sim.Chip) {
		p := initHAL()
		u, err := uart.New(p.UART0, uart.Config{Parity: uart.ParityEven}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		rx := c.UART(0)
		rx.Feed('o', 'k')
		rx.FeedFault('x', sim.ParityFault)
		rx.Feed('!')
		buf := make([]byte, 16)
		// Wait for all four frames (the faulty one is dropped).
		for rx.RXPending() > 0 {
			u.Buffered()
		}
		for i := 0; i < 2; i++ {
			n, err := u.Read(buf)
			errs = append(errs, err)
			data = append(data, string(buf[:n]))
		}
		rx.FeedFault('y', sim.FramingFault)
		for rx.RXPending() > 0 {
			u.Buffered()
		}
		_, err = u.Read(buf)
		errs = append(errs, err)
		// Overflow: 130 bytes with nobody reading.
		rx.Feed(make([]byte, 130)...)
		for rx.RXPending() > 0 {
			u.Buffered()
		}
		_, err = u.Read(buf)
		errs = append(errs, err)
		errs = append(errs, nil)
		data = append(data, itoa(u.Buffered()))
	})
	require.Len(t, errs, 5)
	assert.ErrorIs(t, errs[0], uart.ErrParityError)
	assert.NoError(t, errs[1])
	assert.Equal(t, "ok!", data[1], "the good bytes survive; the faulty frame is dropped")
	assert.ErrorIs(t, errs[2], uart.ErrFramingError)
	assert.ErrorIs(t, errs[3], uart.ErrFifoOverflowed)
	assert.Equal(t, "0", data[2], "the overflow reset the FIFO")
	var rxErr uart.RxError
	assert.True(t, errors.As(errs[3], &rxErr))
	assert.Contains(t, errs[3].Error(), "RX FIFO overflowed")
}

func TestFrameFormatsOnTheLine(t *testing.T) {
	// 7 data bits, odd parity, 2 stop bits at 9600 baud: 11 bits per frame.
	c := run(t, func(c *sim.Chip) {
		p := initHAL()
		u, err := uart.New(p.UART1, uart.Config{Baud: 9600, DataBits: 7, Parity: uart.ParityOdd, StopBits: uart.StopBits2},
			p.GPIO4, p.GPIO5)
		if err != nil {
			panic(err)
		}
		u.Write([]byte{0xFF, 'A'})
		u.Flush()
	})
	tx := c.UART(1).TX()
	require.Len(t, tx, 2)
	assert.Equal(t, byte(0x7F), tx[0].Byte, "7 data bits")
	assert.InDelta(t, float64(11*time.Second/9600), float64(tx[0].End-tx[0].Start), float64(100*time.Nanosecond))
}

func TestConsumedDriverPanicsWithAMessage(t *testing.T) {
	var msgs []string
	catch := func(f func()) {
		defer func() { msgs = append(msgs, toString(recover())) }()
		f()
	}
	run(t, func(c *sim.Chip) {
		p := initHAL()
		b, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
		if err != nil {
			panic(err)
		}
		a := b.IntoAsync()
		catch(func() { b.Write([]byte("x")) })
		catch(func() { b.IntoAsync() })
		b2 := a.IntoBlocking()
		catch(func() { a.ReadAsync(nil) })
		b2.Close()
		catch(func() { b2.Flush() })
	})
	assert.Equal(t, []string{
		"uart: UART0 Blocking driver used after IntoAsync consumed it",
		"uart: UART0 Blocking driver used after IntoAsync consumed it",
		"uart: UART0 Async driver used after IntoBlocking consumed it",
		"uart: UART0 Blocking driver used after Close consumed it",
	}, msgs)
}

func toString(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if e, ok := v.(error); ok {
		return e.Error()
	}
	return "<no panic>"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// TestEveryUARTRegisterTheDriverTouchesIsModelled: the simulator gives behaviour to every
// UART register the driver uses (none of them is plain memory there).
func TestEveryUARTRegisterTheDriverTouchesIsModelled(t *testing.T) {
	c := run(t, func(c *sim.Chip) {
		p := initHAL()
		for i, u := range []periph.UART{p.UART0, p.UART1} {
			tx, rx := p.GPIO21, p.GPIO20
			if i == 1 {
				tx, rx = p.GPIO4, p.GPIO5
			}
			b, err := uart.New(u, uart.Config{}, tx, rx)
			if err != nil {
				panic(err)
			}
			b.Write([]byte("x"))
			b.Flush()
			b.IntoAsync().Close()
		}
	})
	for _, a := range c.UnmodelledAccesses() {
		assert.False(t, a >= 0x6000_0000 && a < 0x6000_1000 || a >= 0x6001_0000 && a < 0x6001_1000,
			"UART register %#x is not modelled", a)
	}
}
