// Package readme keeps the README's generated-API snippet compiling and true.
package readme

import (
	"io"
	"testing"

	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/uart"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func TestReadmeSnippet(t *testing.T) {
	c := sim.New(sim.Log(io.Discard))
	defer c.Close()
	err := c.Run(func() {
		u := esp32c3.UART0 // *uart.UART at 0x60000000
		u.CONF0.Modify(func(v uart.CONF0Value) uart.CONF0Value { return v.WithPARITY_EN(true) })
		u.CONF0.Write(u.CONF0.Read().WithBIT_NUM(3)) // typed values, masked setters
		u.INT_CLR.Write(uart.INT_CLRValue(0).WithRXFIFO_FULL_INT_CLR(true))
		_ = esp32c3.DMA.CH[1].IN_CONF0.Read() // arrays and clusters as Go arrays/structs
		if got := esp32c3.IRQ_UART0.String(); got != "UART0" {
			t.Errorf("IRQ_UART0.String() = %q", got)
		}
		if v := u.CONF0.Read(); !v.PARITY_EN() || v.BIT_NUM() != 3 {
			t.Errorf("CONF0 = %#x: PARITY_EN and BIT_NUM=3 expected", uint32(v))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
}
