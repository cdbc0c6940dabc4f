package i2c

import (
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

func TestChunkLenAsEspHal(t *testing.T) {
	// calculate_chunk_size: 31-byte chunks, 29 when 32 or 33 remain.
	for _, c := range []struct{ rem, want int }{
		{0, 0}, {1, 1}, {30, 30}, {31, 31}, {32, 29}, {33, 29}, {34, 31}, {62, 31}, {64, 31},
	} {
		assert.Equal(t, c.want, chunkLen(c.rem, chunkSize), "remaining %d", c.rem)
	}
}

// describe renders the command list: RSTART, W<n> (ack check on), R<n> (ACK) or R<n>! (NACK
// after), STOP, END.
func describe(c *engine) string {
	var parts []string
	for i := 0; i < numCmds; i++ {
		v := uint32(esp32c3.I2C0.COMD[i].Read()) & 0x3FFF
		if v == 0 {
			break
		}
		n := strconv.Itoa(int(v & 0xFF))
		switch v >> 11 & 7 {
		case opRStart:
			parts = append(parts, "RSTART")
		case opWrite:
			if v&cmdAckCheck == 0 {
				n += "?"
			}
			parts = append(parts, "W"+n)
		case opRead:
			if v&cmdAckValue != 0 {
				n += "!"
			}
			parts = append(parts, "R"+n)
		case opStop:
			parts = append(parts, "STOP")
		case opEnd:
			parts = append(parts, "END")
		}
	}
	return strings.Join(parts, " ")
}

// TestCommandListsAsEspHal records the command list of every chunk: esp-hal's lists
// (esp32c3-facts.md §7), except that the address has a WRITE of its own.
func TestCommandListsAsEspHal(t *testing.T) {
	cases := []struct {
		name string
		addr uint16
		ops  []Operation
		want []string
	}{
		{"write", 0x50, []Operation{Write(make([]byte, 5))}, []string{"RSTART W1 W5 STOP"}},
		{"probe", 0x50, []Operation{Write(nil)}, []string{"RSTART W1 STOP"}},
		{"write34", 0x50, []Operation{Write(make([]byte, 34))}, []string{"RSTART W1 W31 END", "W3 STOP END"}},
		{"write33", 0x50, []Operation{Write(make([]byte, 33))}, []string{"RSTART W1 W29 END", "W4 STOP END"}},
		{"read1", 0x50, []Operation{Read(make([]byte, 1))}, []string{"RSTART W1 R1! STOP"}},
		{"read3", 0x50, []Operation{Read(make([]byte, 3))}, []string{"RSTART W1 R2 R1! STOP"}},
		{"read40", 0x50, []Operation{Read(make([]byte, 40))}, []string{"RSTART W1 R31 END", "R8 R1! STOP END"}},
		{"writeread", 0x50, []Operation{Write(make([]byte, 2)), Read(make([]byte, 4))},
			[]string{"RSTART W1 W2 END", "RSTART W1 R3 R1! STOP"}},
		{"readread", 0x50, []Operation{Read(make([]byte, 2)), Read(nil), Read(make([]byte, 2))},
			[]string{"RSTART W1 R2 END", "R1 R1! STOP END"}},
		{"writewrite", 0x50, []Operation{Write(make([]byte, 2)), Write(make([]byte, 3))},
			[]string{"RSTART W1 W2 END", "W3 STOP END"}},
		{"ten-write", TenBit | 0x2C5, []Operation{Write(make([]byte, 31))}, []string{"RSTART W2 W28 END", "W3 STOP END"}},
		{"ten-read", TenBit | 0x2C5, []Operation{Read(make([]byte, 2))}, []string{"RSTART W2 RSTART W1 R1 R1! STOP"}},
		{"ten-writeread", TenBit | 0x2C5, []Operation{Write(make([]byte, 1)), Read(make([]byte, 2))},
			[]string{"RSTART W2 W1 END", "RSTART W1 R1 R1! STOP"}},
	}
	got := map[string][]string{}
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	c.I2C0().Attach(0x50, sim.NewRegisterSensor())
	c.I2C0().Attach10(0x2C5, sim.NewRegisterSensor())
	require.NoError(t, c.Run(func() {
		defer systimer.Stop()
		p, err := hal.Init(hal.Config{})
		require.NoError(t, err)
		b, err := New(p.I2C0, Config{}, p.GPIO5, p.GPIO6)
		require.NoError(t, err)
		defer b.Close()
		for _, tc := range cases {
			x, err := begin(b.c, tc.addr, [2]Operation{}, 0, tc.ops)
			require.NoError(t, err)
			for seen := 0; ; {
				st, f := x.step()
				require.NoError(t, f.err(), tc.name)
				if x.chunks != seen {
					seen = x.chunks
					got[tc.name] = append(got[tc.name], describe(b.c))
				}
				if st == stepDone {
					break
				}
			}
		}
	}))
	for _, tc := range cases {
		assert.Equal(t, tc.want, got[tc.name], tc.name)
	}
}
