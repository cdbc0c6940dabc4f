package golden

import (
	"runtime"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/golden/window"
	"github.com/gohal/gohal/golden/window/cam"
	"github.com/gohal/gohal/golden/window/ram"
	"github.com/gohal/gohal/rt/mmio"
)

// TestWindowOnHost uses the generated window package on the simulated bus: the 64 MiB RAM
// block is an address inside the bus's 4 GiB reservation, never a Go allocation, its last
// word and last pair are registers like any other, and the CAM arrays start at their reset
// values (ranged reset entries) and return to them after mmio.ResetMemory.
func TestWindowOnHost(t *testing.T) {
	defer mmio.ResetMemory()
	require.EqualValues(t, 0x8000004, unsafe.Sizeof(ram.RAM{}))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	assert.Less(t, ms.HeapSys, uint64(64<<20), "the window is not on the Go heap")

	r := window.RAM
	r.MEM[16777215].Write(0x1234)
	r.PAIR[8388607].HI.Write(7)
	assert.Equal(t, ram.MEMValue(0x1234), r.MEM[16777215].Read())
	assert.Equal(t, uint64(0x1234), mmio.Peek(window.RAMBase+0x3fffffc, 4))
	assert.Equal(t, uint64(7), mmio.Peek(window.RAMBase+0x7fffffc, 4))
	assert.Zero(t, r.LAST.Read(), "LAST is the word after both windows")

	c := window.CAM
	check := func(when string) {
		t.Helper()
		for _, i := range []int{0, 1, 131071} {
			assert.True(t, c.TAG[i].Read().VALID(), "%s: TAG[%d]", when, i)
		}
		for _, i := range []int{0, 98303} {
			assert.Equal(t, cam.ENTRY_CTRLValue(1), c.ENTRY[i].CTRL.Read(), "%s: ENTRY[%d].CTRL", when, i)
			assert.Zero(t, c.ENTRY[i].KEY.Read(), "%s: ENTRY[%d].KEY", when, i)
		}
		for b := range c.BANK {
			for _, i := range []int{0, 16383} {
				assert.Equal(t, cam.BANK_WORDValue(0xffffffff), c.BANK[b].WORD[i].Read(), "%s: BANK[%d].WORD[%d]", when, b, i)
			}
		}
		assert.Equal(t, cam.CFGValue(5), c.CFG[3].Read(), "%s: CFG[3]", when)
	}
	check("at start")
	c.TAG[131071].Write(0)
	c.ENTRY[5].CTRL.Write(0)
	c.BANK[1].WORD[16383].Write(0)
	c.CFG[3].Write(0)
	mmio.ResetMemory()
	check("after ResetMemory")
	assert.Zero(t, r.MEM[16777215].Read(), "the window word resets to 0")
}
