// Command blinky is gohal's first firmware: a SYSTIMER alarm interrupt blinks an LED on
// GPIO8 every half second, and the main loop reports each blink over UART0. It uses only
// pac/esp32c3 (registers) and rt (interrupts), and stops after ten blinks.
//
// The same source runs on the chip and on the host:
//
//	go run ./examples/blinky                      # on the ESP32-C3 simulator, in virtual time
//	go run ./examples/blinky -realtime            # the same, paced to the wall clock
//	tinygo build -target=esp32c3 ./examples/blinky
//
// main (main.go) hands firmware to start, which start_tinygo.go runs on the chip and
// start_host.go hands to the simulator.
package main

import (
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/gpio"
	"github.com/gohal/gohal/pac/esp32c3/io_mux"
	"github.com/gohal/gohal/pac/esp32c3/systimer"
	"github.com/gohal/gohal/pac/esp32c3/uart"
	"github.com/gohal/gohal/rt"
)

const (
	ledPin     = 8          // the LED of most ESP32-C3 boards (active high here)
	ticksPerMs = 16_000     // SYSTIMER counts at 16 MHz
	halfPeriod = 500        // ms between toggles
	blinks     = 10         // toggles before the firmware stops
	baud       = 115_200    // UART0
	apbHz      = 80_000_000 // UART clock source: APB
	gpioOutSel = 128        // FUNC_OUT_SEL value for "plain GPIO output"
	alarmIRQ   = rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0)
)

// toggles counts alarm interrupts. The handler writes it; the main loop reads it inside a
// critical section, so the handler cannot run in the middle.
var toggles int

func firmware() {
	toggles = 0
	initUART()
	initLED()
	say("blinky: LED on GPIO", ledPin, ", SYSTIMER alarm every ", halfPeriod, " ms\r\n")

	rt.Bind(alarmIRQ, onAlarm)
	rt.Enable(alarmIRQ, 1)
	startAlarm()

	for seen := 0; seen < blinks; {
		cs := rt.EnterCritical()
		n := toggles
		if n == seen {
			rt.WaitForInterrupt() // returns once the alarm is pending; it runs at Exit
		}
		cs.Exit()
		for ; seen < n && seen < blinks; seen++ {
			state := "off"
			if (seen+1)%2 == 1 {
				state = "on "
			}
			say("blink ", seen+1, ": LED ", state, " at ", nowMs(), " ms\r\n")
		}
	}

	stopAlarm()
	rt.Disable(alarmIRQ)
	say("blinky: done after ", blinks, " blinks\r\n")
	flushUART()
}

// onAlarm runs at priority 1 each time comparator 0 fires.
func onAlarm() {
	esp32c3.SYSTIMER.INT_CLR.Write(systimer.INT_CLRValue(0).WithTARGET0_INT_CLR(true))
	toggles++
	if toggles%2 == 1 {
		esp32c3.GPIO.OUT_W1TS.Write(gpio.OUT_W1TSValue(0).WithOUT_W1TS(1 << ledPin))
	} else {
		esp32c3.GPIO.OUT_W1TC.Write(gpio.OUT_W1TCValue(0).WithOUT_W1TC(1 << ledPin))
	}
}

// initLED makes GPIO8 a plain output driven low (esp32c3-facts.md §5).
func initLED() {
	esp32c3.GPIO.OUT_W1TC.Write(gpio.OUT_W1TCValue(0).WithOUT_W1TC(1 << ledPin))
	esp32c3.GPIO.FUNC_OUT_SEL_CFG[ledPin].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(gpioOutSel))
	esp32c3.IO_MUX.GPIO[ledPin].Modify(func(v io_mux.GPIOValue) io_mux.GPIOValue {
		return v.WithMCU_SEL(1).WithFUN_IE(false) // function 1 is GPIO
	})
	esp32c3.GPIO.ENABLE_W1TS.Write(gpio.ENABLE_W1TSValue(0).WithENABLE_W1TS(1 << ledPin))
}

// startAlarm runs comparator 0 in period mode on unit 0: an interrupt every halfPeriod.
func startAlarm() {
	st := esp32c3.SYSTIMER
	st.TARGET_CONF[0].Write(systimer.TARGET_CONFValue(0).
		WithTARGET_PERIOD(halfPeriod * ticksPerMs).
		WithTARGET_PERIOD_MODE(true))
	st.COMP_LOAD[0].Write(systimer.COMP_LOADValue(0).WithTIMER_COMP_LOAD(true))
	st.INT_CLR.Write(systimer.INT_CLRValue(0).WithTARGET0_INT_CLR(true))
	st.INT_ENA.Modify(func(v systimer.INT_ENAValue) systimer.INT_ENAValue { return v.WithTARGET0_INT_ENA(true) })
	st.CONF.Modify(func(v systimer.CONFValue) systimer.CONFValue { return v.WithTARGET0_WORK_EN(true) })
}

func stopAlarm() {
	st := esp32c3.SYSTIMER
	st.CONF.Modify(func(v systimer.CONFValue) systimer.CONFValue { return v.WithTARGET0_WORK_EN(false) })
	st.INT_ENA.Modify(func(v systimer.INT_ENAValue) systimer.INT_ENAValue { return v.WithTARGET0_INT_ENA(false) })
	st.INT_CLR.Write(systimer.INT_CLRValue(0).WithTARGET0_INT_CLR(true))
}

// nowMs reads SYSTIMER unit 0 as esp-hal does (UPDATE, wait VALID, LO/HI/LO) in ms.
func nowMs() uint64 {
	st := esp32c3.SYSTIMER
	st.UNIT_OP[0].Write(systimer.UNIT_OPValue(0).WithTIMER_UNIT_UPDATE(true))
	for !st.UNIT_OP[0].Read().TIMER_UNIT_VALUE_VALID() {
	}
	for {
		lo := uint32(st.UNIT_VALUE[0].LO.Read())
		hi := uint32(st.UNIT_VALUE[0].HI.Read())
		if uint32(st.UNIT_VALUE[0].LO.Read()) == lo {
			return (uint64(hi)<<32 | uint64(lo)) / ticksPerMs
		}
	}
}

// initUART sets UART0 to 115200 baud from the 80 MHz APB clock, 8N1 (the reset format).
func initUART() {
	u := esp32c3.UART0
	u.CLK_CONF.Modify(func(v uart.CLK_CONFValue) uart.CLK_CONFValue {
		return v.WithSCLK_SEL(1).WithSCLK_DIV_NUM(0).WithSCLK_DIV_A(0).WithSCLK_DIV_B(0).WithSCLK_EN(true)
	})
	const div = apbHz * 16 / baud // in 1/16 units
	u.CLKDIV.Write(uart.CLKDIVValue(0).WithCLKDIV(div >> 4).WithFRAG(div & 15))
	u.ID.Modify(func(v uart.IDValue) uart.IDValue { return v.WithREG_UPDATE(true) })
	for u.ID.Read().REG_UPDATE() {
	}
}

// say writes strings and unsigned integers to UART0, waiting while the TX FIFO is full.
func say(args ...any) {
	for _, a := range args {
		switch v := a.(type) {
		case string:
			for i := 0; i < len(v); i++ {
				putc(v[i])
			}
		case int:
			putUint(uint64(v))
		case uint64:
			putUint(v)
		}
	}
}

func putUint(n uint64) {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	for _, c := range buf[i:] {
		putc(c)
	}
}

func putc(c byte) {
	u := esp32c3.UART0
	for u.STATUS.Read().TXFIFO_CNT() >= 128 {
	}
	u.FIFO.Write(uart.FIFOValue(0).WithRXFIFO_RD_BYTE(uint32(c)))
}

// flushUART waits until the last frame has left the transmitter.
func flushUART() {
	u := esp32c3.UART0
	for u.STATUS.Read().TXFIFO_CNT() != 0 || u.FSM_STATUS.Read().ST_UTX_OUT() != 0 {
	}
}
