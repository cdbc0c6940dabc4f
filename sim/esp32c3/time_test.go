//go:build go1.25

package esp32c3

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/rt/host"
)

// sleepFirmware sleeps 10ms between two register accesses and reports the virtual time
// across the sleep, what time.Since measured and the cycle counter at the end.
func sleepFirmware(c *Chip, virt, since *time.Duration, cycles *uint64) func() {
	return func() {
		st.IntEna.Load()
		v0 := c.Now()
		start := time.Now()
		time.Sleep(10 * time.Millisecond)
		*since = time.Since(start)
		st.IntEna.Load() // virtual time catches up at the next register access
		*virt = c.Now() - v0
		*cycles = host.Cycles()
	}
}

func TestTimeSleepInBubblePassesVirtualTime(t *testing.T) {
	c := New(Log(io.Discard))
	var virt, since time.Duration
	var cycles uint64
	require.NoError(t, c.RunInBubble(t, sleepFirmware(c, &virt, &since, &cycles)))
	assert.Equal(t, 10*time.Millisecond, since, "time.Since around time.Sleep(10ms)")
	cost := c.Machine().AccessCost()
	assert.GreaterOrEqual(t, virt, 10*time.Millisecond)
	assert.LessOrEqual(t, virt, 10*time.Millisecond+cost, "virtual time across the sleep: 10ms and one register access")
}

func TestTimeSleepInBubbleIsDeterministic(t *testing.T) {
	var got []uint64
	for range 3 {
		c := New(Log(io.Discard))
		var virt, since time.Duration
		var cycles uint64
		require.NoError(t, c.RunInBubble(t, sleepFirmware(c, &virt, &since, &cycles)))
		got = append(got, cycles)
	}
	assert.Equal(t, got[0], got[1])
	assert.Equal(t, got[0], got[2])
}

func TestTimeOutsideBubbleIsNoted(t *testing.T) {
	var log bytes.Buffer
	c := New(Log(&log))
	var virt, since time.Duration
	var cycles uint64
	require.NoError(t, c.Run(sleepFirmware(c, &virt, &since, &cycles)))
	assert.Less(t, virt, time.Millisecond, "outside a bubble, time.Sleep takes no virtual time")
	assert.Contains(t, log.String(), "RunInBubble")
}

func TestAHT20CRCIsCRC8NRSC5(t *testing.T) {
	// CRC-8/NRSC-5 (poly 0x31, init 0xFF) has the check value 0xF7.
	assert.Equal(t, byte(0xF7), crc8AHT([]byte("123456789")))
}
