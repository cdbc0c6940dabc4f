package console

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Regression: a line longer than the 160-byte buffer lost its end (and its line break)
// silently; the latency example's longest line did, on Espressif's QEMU.
func TestALineLongerThanTheBufferIsWrittenWhole(t *testing.T) {
	var out strings.Builder
	c := New(&out)
	long := strings.Repeat("x", 150)
	c.S(long).S(" n=").D(1234567890).S(" h=").X(0xBEEF).NL()
	require.Equal(t, long+" n=1234567890 h=0xbeef\r\n", out.String())
	c.S("short ").D(-7).NL()
	require.Equal(t, long+" n=1234567890 h=0xbeef\r\nshort -7\r\n", out.String())
}

func TestPrintingAllocatesNothing(t *testing.T) {
	var out strings.Builder
	out.Grow(1 << 20)
	c := New(&out)
	allocs := testing.AllocsPerRun(100, func() { c.S("value ").D(42).S(" ").X(7).Frac(2, 3).NL() })
	require.Zero(t, allocs)
}
