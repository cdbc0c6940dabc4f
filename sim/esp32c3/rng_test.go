package esp32c3

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a log sink tests read after the chip wrote to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func rngWords(t *testing.T, opts ...Option) []uint32 {
	t.Helper()
	c := New(opts...)
	defer c.Close()
	out := make([]uint32, 8)
	for i := range out {
		out[i] = r32(rngData).Load()
		c.Advance(time.Microsecond)
	}
	return out
}

func TestRNGIsDeterministicPerSeed(t *testing.T) {
	var log syncBuffer
	a := rngWords(t, Log(&log))
	b := rngWords(t, Log(&log))
	assert.Equal(t, a, b, "the default seed gives the same stream on every chip")
	c := rngWords(t, Log(&log), RNGSeed(42))
	d := rngWords(t, Log(&log), RNGSeed(43))
	assert.NotEqual(t, a, c)
	assert.NotEqual(t, c, d, "different seeds give different streams")
	assert.Equal(t, c, rngWords(t, Log(&log), RNGSeed(42)))
	distinct := map[uint32]bool{}
	for _, w := range append(a, c...) {
		distinct[w] = true
	}
	assert.Len(t, distinct, 16, "no word repeats in a short stream")
}

func TestRNGNotesMissingEntropyAndFastReads(t *testing.T) {
	var log syncBuffer
	c := New(Log(&log))
	defer c.Close()
	require.False(t, c.EntropySource())
	r32(rngData).Load()
	r32(rngData).Load() // no time passed: faster than 16 APB cycles
	total, low, fast := c.RNG().Reads()
	assert.Equal(t, 2, total)
	assert.Equal(t, 2, low)
	assert.Equal(t, 1, fast)
	assert.Contains(t, log.String(), "RNG_DATA read with no entropy source on")
	assert.Contains(t, log.String(), "faster") // the rate note
	assert.Contains(t, log.String(), "200ns")

	// esp-hal's Trng leaves these set: the SAR ADC source is on.
	r32(rtcSensorCtrl).Store(3 << 30)
	r32(sysPeripClkEn0).Store(r32(sysPeripClkEn0).Load() | 1<<sysAPBSARADCBit)
	r32(sysPeripRstEn0).Store(r32(sysPeripRstEn0).Load() &^ (1 << sysAPBSARADCBit))
	r32(saradcClkmConf).Store(r32(saradcClkmConf).Load() | 1<<saradcClkmCLKEnBt)
	r32(saradcCtrl2).Store(r32(saradcCtrl2).Load() | 1<<saradcTimerEnBit)
	require.True(t, c.EntropySource())
	c.Advance(RNGMinInterval)
	r32(rngData).Load()
	total, low, fast = c.RNG().Reads()
	assert.Equal(t, [3]int{3, 2, 1}, [3]int{total, low, fast}, "a read 200 ns later with the source on is neither")
}
