package a

import (
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/uart"
)

type peripherals struct {
	UART0         periph.UART
	GPIO5, GPIO20 periph.Pin
	GPIO21, GPIO8 periph.Pin
}

var msg = []byte("hi")

// --- misuse ---

func afterIntoAsync(p peripherals) {
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	ua := u.IntoAsync()
	u.Write(msg) // want `u used after u.IntoAsync\(\) at line 21 consumed it`
	_ = ua
}

func afterClose(p peripherals) {
	led, _ := gpio.NewOutput(p.GPIO8)
	led.Close()
	led.Set(true) // want `led used after led.Close\(\) at line 28 consumed it`
}

func onOneBranch(p peripherals, async bool) {
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	if async {
		ua := u.IntoAsync()
		_ = ua
	}
	u.Write(msg) // want `u used after u.IntoAsync\(\)`
}

func backAndForth(p peripherals) {
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	ua := u.IntoAsync()
	ub := ua.IntoBlocking()
	ua.Write(msg) // want `ua used after ua.IntoBlocking\(\)`
	ub.Write(msg)
}

func closeTwice(p peripherals) {
	led, _ := gpio.NewOutput(p.GPIO8)
	led.Close()
	led.Close() // want `led used after led.Close\(\) at line 51 consumed it \(a second Close`
}

func inLoop(p peripherals) {
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	for i := 0; i < 2; i++ {
		ua := u.IntoAsync() // want `u used after u.IntoAsync\(\) at line 58 consumed it \(a second IntoAsync`
		_ = ua
	}
}

func tokenTwice(p peripherals) {
	led, _ := gpio.NewOutput(p.GPIO5)
	other, _ := gpio.NewOutput(p.GPIO5) // want `p.GPIO5 is passed to gpio.NewOutput after gpio.NewOutput took it at line 64`
	led.Set(true)
	other.Set(true)
}

func tokenToTwoDrivers(p peripherals) {
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	led, _ := gpio.NewOutput(p.GPIO21) // want `p.GPIO21 is passed to gpio.NewOutput after uart.New took it`
	u.Write(msg)
	led.Set(true)
}

// --- correct ---

func useTheReturnedDriver(p peripherals) {
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	u.Write(msg)
	ua := u.IntoAsync()
	ua.Write(msg)
	u = ua.IntoBlocking() // u holds a live driver again
	u.Write(msg)
}

func closeLast(p peripherals) {
	led, _ := gpio.NewOutput(p.GPIO8)
	led.Set(true)
	led.Close()
}

func deferredClose(p peripherals) {
	led, _ := gpio.NewOutput(p.GPIO8)
	defer led.Close()
	led.Set(true)
}

func otherBranch(p peripherals, async bool) {
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	if async {
		ua := u.IntoAsync()
		ua.Write(msg)
		return
	}
	u.Write(msg)
}

func tokenAfterClose(p peripherals) {
	led, _ := gpio.NewOutput(p.GPIO5)
	led.Close()
	again, _ := gpio.NewOutput(p.GPIO5)
	again.Set(true)
}

func reassignedInLoop(p peripherals) {
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	for i := 0; i < 2; i++ {
		ua := u.IntoAsync()
		u = ua.IntoBlocking()
	}
	u.Write(msg)
}

func expectedToFail(p peripherals) {
	led, _ := gpio.NewOutput(p.GPIO5)
	_, err := gpio.NewOutput(p.GPIO8) // expected to fail: does not take GPIO8
	_ = err
	other, _ := gpio.NewOutput(p.GPIO8)
	led.Set(true)
	other.Set(true)
}

func suppressedTwice(p peripherals) {
	led, _ := gpio.NewOutput(p.GPIO5)
	//gohalvet:ignore consumed a test of the run-time ownership error
	_, err := gpio.NewOutput(p.GPIO5)
	_ = err
	led.Set(true)
}
