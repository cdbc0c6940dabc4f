package esp32c3

import (
	"io"
	"testing"

	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/uart"
)

// Firmware that writes to the TX FIFO and returns at once still gets every byte out, at the
// time the line would carry it.
func TestUARTFinishesSendingAfterFirmwareReturns(t *testing.T) {
	c := New(Log(io.Discard))
	err := c.Run(func() {
		for _, b := range []byte("bye\n") {
			esp32c3.UART0.FIFO.Write(uart.FIFOValue(0).WithRXFIFO_RD_BYTE(uint32(b)))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(c.UART(0).TXBytes()); got != "bye\n" {
		t.Fatalf("TX = %q, want %q", got, "bye\n")
	}
	tx := c.UART(0).TX()
	if last := tx[len(tx)-1]; last.End <= tx[0].End || c.Now() < last.End {
		t.Errorf("frames end at %v (first) and %v (last), chip time %v: the drain must run in virtual time", tx[0].End, last.End, c.Now())
	}
}
