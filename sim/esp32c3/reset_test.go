package esp32c3

import (
	"io"
	"testing"

	"github.com/gohal/gohal/rt/mmio"
)

// Every new chip starts from the SVD reset values, also for blocks no model owns, and the
// peripheral models stay reachable from the chip after it is closed.
func TestNewChipStartsAtResetValues(t *testing.T) {
	c := New(Log(io.Discard))
	defer c.Close()
	// SYSTEM.PERIP_CLK_EN0: the clocks the boot ROM leaves on (esp32c3.svd resetValue).
	if got := mmio.Peek(0x600C_0010, 4); got != 0xF9C1E06F {
		t.Errorf("PERIP_CLK_EN0 = %#x, want the SVD reset value 0xf9c1e06f", got)
	}
	mmio.Poke(0x600C_0010, 4, 0)
	c.Close()
	c2 := New(Log(io.Discard))
	defer c2.Close()
	if got := mmio.Peek(0x600C_0010, 4); got != 0xF9C1E06F {
		t.Errorf("after a new chip, PERIP_CLK_EN0 = %#x, want the reset value again", got)
	}
	if c.UART(0) == nil || c.UART(0) == c2.UART(0) {
		t.Error("each chip must keep its own UART models")
	}
}
