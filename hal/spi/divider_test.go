package spi

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDividerAsEspHal(t *testing.T) {
	clock := func(n, pre uint32) uint32 { return (n - 1) | (n/2-1)<<6 | (n-1)<<12 | (pre-1)<<18 }
	for _, c := range []struct {
		src, f, reg, actual uint32
	}{
		// esp32c3-facts.md §8: 1 MHz from the crystal is N = L = 39, H = 19, PRE = 0.
		{40_000_000, 1_000_000, 39 | 19<<6 | 39<<12, 1_000_000},
		{40_000_000, 40_000_000, 1 << 31, 40_000_000}, // CLK_EQU_SYSCLK
		{40_000_000, 20_000_000, clock(2, 1), 20_000_000},
		{40_000_000, 8_000_000, clock(5, 1), 8_000_000},
		{40_000_000, 100_000, clock(50, 8), 100_000}, // 400 = 8·50: the largest n
		{40_000_000, 3_000_000, clock(14, 1), 2_857_142},
		{40_000_000, 39_062, clock(64, 16), 39_062}, // the lowest: 40 MHz / 1024
		{80_000_000, 80_000_000, 1 << 31, 80_000_000},
		{80_000_000, 26_666_666, clock(3, 1), 26_666_666},
		{80_000_000, 1_000_000, clock(40, 2), 1_000_000}, // 80 = 2·40
	} {
		reg, actual, err := divider(c.src, c.f)
		require.NoError(t, err, "%d from %d", c.f, c.src)
		assert.Equal(t, c.reg, reg, "%d from %d: CLOCK", c.f, c.src)
		assert.Equal(t, c.actual, actual, "%d from %d", c.f, c.src)
		assert.LessOrEqual(t, actual, c.f, "never above the request")
	}
}

func TestUnreachableFrequenciesNameTheNearest(t *testing.T) {
	_, _, err := divider(40_000_000, 12_000_000)
	var fe *FrequencyError
	require.ErrorAs(t, err, &fe)
	assert.True(t, errors.Is(err, ErrConfig))
	assert.Equal(t, uint32(13_333_333), fe.Nearest())
	assert.EqualError(t, err, "spi: Config.Frequency = 12000000 Hz is not reachable from the 40 MHz clock within 5%: the nearest reachable is 13333333 Hz (neighbours: 10000000 Hz below, 13333333 Hz above)")

	_, _, err = divider(40_000_000, 50_000_000)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, uint32(40_000_000), fe.Nearest())
	assert.EqualError(t, err, "spi: Config.Frequency = 50000000 Hz is not reachable from the 40 MHz clock: the highest reachable is 40000000 Hz")

	_, _, err = divider(40_000_000, 39_061)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, uint32(39_062), fe.Nearest())
	assert.EqualError(t, err, "spi: Config.Frequency = 39061 Hz is not reachable from the 40 MHz clock: the lowest reachable is 39062 Hz")

	// 35 MHz: 20 MHz is 43% below; 40 MHz is the nearest.
	_, _, err = divider(40_000_000, 35_000_000)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, uint32(40_000_000), fe.Nearest())
}

// TestDividerPicksTheHighestNotAbove checks divider against every reachable divisor.
func TestDividerPicksTheHighestNotAbove(t *testing.T) {
	const src = 40_000_000
	var reachable []uint32 // frequencies, descending
	for d := uint32(1); d <= maxDivider; d++ {
		if p, _ := split(d); p != 0 {
			reachable = append(reachable, src/d)
		}
	}
	for f := uint32(src / maxDivider); f <= src; f += f/300 + 1 {
		best := uint32(0)
		for _, r := range reachable {
			if r <= f {
				best = r
				break
			}
		}
		_, actual, err := divider(src, f)
		if best*100 < f*(100-tolerance) {
			require.Error(t, err, "%d Hz: best %d", f, best)
			continue
		}
		require.NoError(t, err, "%d Hz", f)
		require.Equal(t, best, actual, "%d Hz", f)
	}
}
