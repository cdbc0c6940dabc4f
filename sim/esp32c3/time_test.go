//go:build go1.25

package esp32c3

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/rt"
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
	t.Logf("cycles at the end: %d", got[0]) // the same with -race and GOMAXPROCS=1
}

// TestTimeSleepTakesInterruptsOnTime: an alarm due while the firmware sleeps in the bubble
// is taken at its own virtual time, during the sleep, not after it.
func TestTimeSleepTakesInterruptsOnTime(t *testing.T) {
	c := New(Log(io.Discard))
	var at, woke time.Duration
	var fired int
	require.NoError(t, c.RunInBubble(t, func() {
		rt.Bind(rt.Source(SourceSystimerTarget0), func() {
			st.IntClr.Store(1)
			at = c.Now()
			fired++
		})
		rt.Enable(rt.Source(SourceSystimerTarget0), 2)
		st.IntEna.Store(1)
		oneShot(0, 16000*3) // 3 ms
		time.Sleep(10 * time.Millisecond)
		st.IntEna.Load()
		woke = c.Now()
	}))
	assert.Equal(t, 1, fired)
	assert.InDelta(t, 3*time.Millisecond, at, float64(time.Microsecond), "the alarm's handler ran at 3 ms")
	assert.GreaterOrEqual(t, woke, 10*time.Millisecond)
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
