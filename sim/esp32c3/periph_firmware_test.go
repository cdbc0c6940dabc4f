package esp32c3

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	pac "github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/gpio"
	"github.com/gohal/gohal/pac/esp32c3/i2c"
	"github.com/gohal/gohal/pac/esp32c3/io_mux"
	pacsystem "github.com/gohal/gohal/pac/esp32c3/system"
	pactimg "github.com/gohal/gohal/pac/esp32c3/timg"
	"github.com/gohal/gohal/pac/esp32c3/uart"
	"github.com/gohal/gohal/rt"
)

// Firmware-level tests: small programs written against the generated PAC run on the
// simulated core (Chip.Run), so register names, offsets and field positions in pac/esp32c3
// are checked against the models as well.

// TestPACUARTEcho echoes bytes fed to UART0 with the reset configuration of UART0 except
// for 115200 baud from the crystal.
func TestPACUARTEcho(t *testing.T) {
	c := newPeriphChip(t)
	c.UART(0).Feed([]byte("gohal")...)
	err := c.Run(func() {
		u := pac.UART0
		u.CLK_CONF.Modify(func(v uart.CLK_CONFValue) uart.CLK_CONFValue {
			return v.WithSCLK_SEL(3).WithSCLK_DIV_NUM(0)
		})
		u.CLKDIV.Write(uart.CLKDIVValue(0).WithCLKDIV(347).WithFRAG(3))
		u.ID.Modify(func(v uart.IDValue) uart.IDValue { return v.WithREG_UPDATE(true) })
		for u.ID.Read().REG_UPDATE() {
		}
		for n := 0; n < 5; {
			if u.STATUS.Read().RXFIFO_CNT() > 0 {
				u.FIFO.Write(uart.FIFOValue(u.FIFO.Read().RXFIFO_RD_BYTE()))
				n++
			}
		}
		for u.STATUS.Read().TXFIFO_CNT() > 0 || u.FSM_STATUS.Read().ST_UTX_OUT() != 0 {
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.UART(0).TXBytes(); string(got) != "gohal" {
		t.Errorf("echoed %q", got)
	}
}

// TestPACBlinkFromTIMGAlarm toggles GPIO5 on every alarm of a 500 µs autoreload timer.
func TestPACBlinkFromTIMGAlarm(t *testing.T) {
	c := newPeriphChip(t)
	w := c.GPIO().Watch(5)
	err := c.Run(func() {
		pac.IO_MUX.GPIO[5].Write(io_mux.GPIOValue(0).WithMCU_SEL(1))
		pac.GPIO.FUNC_OUT_SEL_CFG[5].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(128))
		pac.GPIO.ENABLE_W1TS.Write(gpio.ENABLE_W1TSValue(0).WithENABLE_W1TS(1 << 5))
		tg := pac.TIMG0
		tg.T0CONFIG.Write(pactimg.T0CONFIGReset.WithT0_USE_XTAL(true).WithT0_AUTORELOAD(true).WithT0_EN(false))
		tg.T0LOADLO.Write(0)
		tg.T0LOADHI.Write(0)
		tg.T0LOAD.Write(1)
		tg.T0ALARMLO.Write(10_000) // 500 µs at 20 MHz
		tg.T0ALARMHI.Write(0)
		tg.T0CONFIG.Modify(func(v pactimg.T0CONFIGValue) pactimg.T0CONFIGValue { return v.WithT0_EN(true).WithT0_ALARM_EN(true) })
		for i := 0; i < 4; i++ {
			for !tg.INT_RAW_TIMG.Read().T0_INT_RAW() {
			}
			tg.INT_CLR_TIMG.Write(pactimg.INT_CLR_TIMGValue(0).WithT0_INT_CLR(true))
			tg.T0CONFIG.Modify(func(v pactimg.T0CONFIGValue) pactimg.T0CONFIGValue { return v.WithT0_ALARM_EN(true) })
			if i%2 == 0 {
				pac.GPIO.OUT_W1TS.Write(gpio.OUT_W1TSValue(0).WithOUT_W1TS(1 << 5))
			} else {
				pac.GPIO.OUT_W1TC.Write(gpio.OUT_W1TCValue(0).WithOUT_W1TC(1 << 5))
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	edges := w.Edges()
	// The first edge is the pad leaving its pull-up level when the output is enabled.
	if len(edges) != 5 || edges[0].Level {
		t.Fatalf("edges = %+v, want the output enable and then four toggles", edges)
	}
	for i, e := range edges[1:] {
		at := time.Duration(i+1) * 500 * time.Microsecond
		if e.Level != (i%2 == 0) || e.At < at || e.At > at+5*time.Microsecond {
			t.Errorf("toggle %d = %+v, want level %v just after %v", i, e, i%2 == 0, at)
		}
	}
}

// TestPACI2CSensorRead reads two registers of a sensor through the command list, enabling
// I2C0's clock first as a driver must.
func TestPACI2CSensorRead(t *testing.T) {
	c := newPeriphChip(t)
	c.I2C0().Attach(0x76, NewRegisterSensor(0, 0, 0x58, 0x60))
	var got []byte
	err := c.Run(func() {
		pac.SYSTEM.PERIP_CLK_EN0.Modify(func(v pacsystem.PERIP_CLK_EN0Value) pacsystem.PERIP_CLK_EN0Value { return v.WithEXT0_CLK_EN(true) })
		b := pac.I2C0
		b.CTR.Write(i2c.CTRValue(0).WithMS_MODE(true).WithSDA_FORCE_OUT(true).WithSCL_FORCE_OUT(true).WithCLK_EN(true))
		b.SCL_LOW_PERIOD.Write(199)
		b.SCL_HIGH_PERIOD.Write(i2c.SCL_HIGH_PERIODValue(0).WithSCL_HIGH_PERIOD(102).WithSCL_WAIT_HIGH_PERIOD(98))
		b.CTR.Modify(func(v i2c.CTRValue) i2c.CTRValue { return v.WithCONF_UPGATE(true) })
		b.INT_CLR.Write(0x3FFFF)
		cmds := []uint32{
			i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 2, i2cCmdAckCheck),
			i2cCmd(i2cOpRStart, 0, 0), i2cCmd(i2cOpWrite, 1, i2cCmdAckCheck),
			i2cCmd(i2cOpRead, 1, 0), i2cCmd(i2cOpRead, 1, i2cCmdAckValue), i2cCmd(i2cOpStop, 0, 0),
		}
		for i, cmd := range cmds {
			b.COMD[i].Write(i2c.COMDValue(cmd))
		}
		for _, v := range []byte{0x76 << 1, 2, 0x76<<1 | 1} {
			b.FIFO_DATA.Write(i2c.FIFO_DATAValue(v))
		}
		b.CTR.Modify(func(v i2c.CTRValue) i2c.CTRValue { return v.WithTRANS_START(true) })
		for !b.INT_RAW.Read().TRANS_COMPLETE_INT_RAW() && !b.INT_RAW.Read().NACK_INT_RAW() {
		}
		for b.SR.Read().RXFIFO_CNT() > 0 {
			got = append(got, byte(b.FIFO_DATA.Read().FIFO_RDATA()))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte{0x58, 0x60}) {
		t.Errorf("read % x, want 58 60", got)
	}
}

// lockedBuffer collects the simulator's log from whichever goroutine writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestWriteToGatedPeripheralWarns checks the warning for writes a chip would lose: I2C0's
// clock is off at reset (PERIP_CLK_EN0 resets to 0xF9C1E06F).
func TestWriteToGatedPeripheralWarns(t *testing.T) {
	var log lockedBuffer
	c := New(Log(&log))
	defer c.Close()
	pac.I2C0.SCL_LOW_PERIOD.Write(199)
	pac.I2C0.SCL_LOW_PERIOD.Write(199)
	pac.UART0.CONF1.Write(uart.CONF1Reset) // UART0's clock is on at reset
	if n := strings.Count(log.String(), "clock is off"); n != 1 {
		t.Fatalf("clock-off warnings = %d, want 1 for I2C0; log:\n%s", n, log.String())
	}
	if !strings.Contains(log.String(), "I2C0: written while its clock is off (SYSTEM.PERIP_CLK_EN0 bit 7)") {
		t.Errorf("warning does not name the block and bit:\n%s", log.String())
	}
}

// waitUntil is the firmware idiom for sleeping until a handler has made done true: check
// and wait inside a critical section, so an interrupt between the two is not lost.
func waitUntil(done func() bool) {
	for {
		cs := rt.EnterCritical()
		if done() {
			cs.Exit()
			return
		}
		rt.WaitForInterrupt()
		cs.Exit()
	}
}

// TestRTUARTInterruptEcho echoes from the UART0 interrupt handler: RXFIFO_FULL takes bytes
// in batches above the threshold, RXFIFO_TOUT takes the tail once the line goes idle.
func TestRTUARTInterruptEcho(t *testing.T) {
	c := newPeriphChip(t)
	uartInit(0)
	msg := []byte("interrupt-driven echo")
	c.UART(0).FeedAt(time.Millisecond, msg...)
	var echoed, handled atomic.Int32
	err := c.Run(func() {
		status, fifo := r32(uartReg(0, uartSTATUS)), r32(uartReg(0, uartFIFO))
		conf1 := r32(uartReg(0, uartCONF1))
		conf1.Store(conf1.Load()&^0x1FF | 4) // RXFIFO_FULL above 4 bytes
		rt.Bind(rt.Source(SourceUART0), func() {
			handled.Add(1)
			for status.Load()&0x3FF > 0 {
				fifo.Store(fifo.Load())
				echoed.Add(1)
			}
			r32(uartReg(0, uartINTCLR)).Store(uartIntRxFull | uartIntRxTout)
		})
		r32(uartReg(0, uartINTENA)).Store(uartIntRxFull | uartIntRxTout)
		rt.Enable(rt.Source(SourceUART0), 1)
		waitUntil(func() bool { return int(echoed.Load()) == len(msg) })
		for status.Load()>>16&0x3FF != 0 || r32(uartReg(0, uartFSMSTATUS)).Load() != 0 {
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.UART(0).TXBytes(); !bytes.Equal(got, msg) {
		t.Errorf("echoed %q, want %q", got, msg)
	}
	// 21 bytes with a threshold of 4 and the FIFO drained in each handler: one handler
	// run per 5 bytes, then the RX timeout for the last one.
	if n := handled.Load(); n != 5 {
		t.Errorf("handler ran %d times, want 5 (four RXFIFO_FULL, one RXFIFO_TOUT)", n)
	}
}

// TestRTGPIOEdgeInterrupt takes falling edges on GPIO9, driven by the outside world at
// fixed virtual times, in a handler that clears STATUS as esp-hal's does.
func TestRTGPIOEdgeInterrupt(t *testing.T) {
	c := newPeriphChip(t)
	g := c.GPIO()
	g.DriveAt(time.Millisecond, 9, false)
	g.DriveAt(2*time.Millisecond, 9, true)
	g.DriveAt(3*time.Millisecond, 9, false)
	var mu sync.Mutex
	var at []time.Duration
	err := c.Run(func() {
		gpioInput(9, true, false)
		rt.Bind(rt.Source(SourceGPIO), func() {
			pending := r32(gpioBase + gpioPCPUINT).Load()
			r32(gpioBase + gpioSTATUSW1TC).Store(pending)
			mu.Lock()
			at = append(at, c.Now())
			mu.Unlock()
		})
		r32(gpioBase + gpioSTATUSW1TC).Store(1 << 9)
		r32(gpioPinReg(9)).Store(pinIntCfg(gpioIntFalling))
		rt.Enable(rt.Source(SourceGPIO), 2)
		waitUntil(func() bool { mu.Lock(); defer mu.Unlock(); return len(at) == 2 })
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []time.Duration{time.Millisecond, 3 * time.Millisecond} {
		if at[i] < want || at[i] > want+time.Microsecond {
			t.Errorf("handler %d entered at %v, want just after %v", i, at[i], want)
		}
	}
}

// TestRTTimerInterruptVirtualSecond counts a 1 kHz TIMG1 alarm interrupt for one virtual
// second; the run takes a small fraction of a real second.
func TestRTTimerInterruptVirtualSecond(t *testing.T) {
	c := newPeriphChip(t)
	var ticks atomic.Int32
	wall := time.Now()
	err := c.Run(func() {
		rt.Bind(rt.Source(SourceTG1T0), func() {
			r32(timgReg(1, timgINTCLR)).Store(timgIntT0)
			cfg := r32(timgReg(1, timgT0CONFIG))
			cfg.Store(cfg.Load() | timgT0AlarmEn)
			ticks.Add(1)
		})
		r32(timgReg(1, timgINTENA)).Store(timgIntT0)
		rt.Enable(rt.Source(SourceTG1T0), 1)
		timgSchedule(1, 20_000, true) // 1 ms at 20 MHz, autoreload
		waitUntil(func() bool { return ticks.Load() == 1000 })
	})
	if err != nil {
		t.Fatal(err)
	}
	if now := c.Now(); now < time.Second || now > time.Second+10*time.Microsecond {
		t.Errorf("1000 ticks ended at %v of virtual time, want 1 s", now)
	}
	t.Logf("one virtual second of 1 kHz timer interrupts took %v of wall time", time.Since(wall))
}

// BenchmarkRTUARTInterruptEcho measures host time per byte of an interrupt-driven echo at
// 115200 baud: the RX frame, the handler, the TX frame, with the core asleep in between.
func BenchmarkRTUARTInterruptEcho(b *testing.B) {
	c := New(Log(periphLog{b}))
	defer c.Close()
	uartInit(0)
	data := make([]byte, b.N)
	for i := range data {
		data[i] = byte(i)
	}
	c.UART(0).FeedAt(0, data...)
	var echoed atomic.Int64
	b.ResetTimer()
	err := c.Run(func() {
		status, fifo := r32(uartReg(0, uartSTATUS)), r32(uartReg(0, uartFIFO))
		conf1 := r32(uartReg(0, uartCONF1))
		conf1.Store(conf1.Load() &^ 0x1FF) // RXFIFO_FULL from the first byte
		rt.Bind(rt.Source(SourceUART0), func() {
			for status.Load()&0x3FF > 0 {
				fifo.Store(fifo.Load())
				echoed.Add(1)
			}
			r32(uartReg(0, uartINTCLR)).Store(uartIntRxFull | uartIntRxTout)
		})
		r32(uartReg(0, uartINTENA)).Store(uartIntRxFull | uartIntRxTout)
		rt.Enable(rt.Source(SourceUART0), 1)
		waitUntil(func() bool { return echoed.Load() == int64(len(data)) })
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(c.Now())/float64(b.N), "virtual-ns/op")
}
