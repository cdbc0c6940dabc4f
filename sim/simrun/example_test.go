//go:build !tinygo

package simrun_test

import (
	"fmt"
	"os"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/sim/simrun"
)

// hello is the firmware: the same function runs on the chip (called from main) and here.
func hello() {
	p, err := hal.Init(hal.Config{})
	if err != nil {
		panic(err)
	}
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	if err != nil {
		panic(err)
	}
	u.Write([]byte("hello from a simulated ESP32-C3\n"))
	u.Flush()
	u.Close()
}

func ExampleRun() {
	r, err := simrun.Run(hello, simrun.Options{UART0: simrun.Port{TX: os.Stdout}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.End)
	// Output:
	// hello from a simulated ESP32-C3
	// firmware returned
}
