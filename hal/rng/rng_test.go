//go:build !tinygo

package rng_test

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/internal/haltest"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/rng"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// run runs firmware after hal.Init on a fresh simulated chip (haltest.Run).
func run(t *testing.T, firmware func(c *sim.Chip, p *hal.Peripherals), opts ...sim.Option) *sim.Chip {
	t.Helper()
	return haltest.Run(t, nil, firmware, append([]sim.Option{sim.Timeout(10 * time.Second)}, opts...)...)
}

// check panics on an error inside firmware: Run then returns it, and the test fails there
// (require's FailNow must not run on the simulator's goroutines).
func check(err error) {
	if err != nil {
		panic(err)
	}
}

// fill reads bufs of several lengths from a fresh driver on a chip seeded with seed.
func fill(t *testing.T, seed uint64) [][]byte {
	var bufs [][]byte
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		r, err := rng.New(p.RNG)
		check(err)
		defer r.Close()
		for _, n := range []int{0, 1, 3, 4, 5, 17, 64} {
			b := make([]byte, n)
			got, err := r.Read(b)
			check(err)
			assert.Equal(t, n, got)
			bufs = append(bufs, b)
		}
	}, sim.RNGSeed(seed))
	return bufs
}

func TestReadFillsBuffers(t *testing.T) {
	a := fill(t, 1)
	for _, b := range a {
		if len(b) >= 4 {
			zero := 0
			for _, x := range b {
				if x == 0 {
					zero++
				}
			}
			assert.Less(t, zero, len(b)/2+1, "%x looks unfilled", b)
		}
	}
	assert.Equal(t, a, fill(t, 1), "one seed, one stream: the simulator is deterministic")
	assert.NotEqual(t, a, fill(t, 2), "different seeds give different bytes")
}

func TestReadsRespectTheRateAndTheEntropySource(t *testing.T) {
	var trueBefore, trueAfter, trueClosed bool
	c := run(t, func(c *sim.Chip, p *hal.Peripherals) {
		r, err := rng.New(p.RNG)
		check(err)
		trueBefore = r.TrueRandom()
		r.Uint32()
		r.EnableEntropySource()
		trueAfter = r.TrueRandom() && c.EntropySource()
		var b [32]byte
		r.Read(b[:])
		r.Uint32()
		r.DisableEntropySource()
		trueClosed = c.EntropySource()
		r.EnableEntropySource()
		r.Close()
		trueClosed = trueClosed || c.EntropySource()
	})
	assert.False(t, trueBefore)
	assert.True(t, trueAfter, "EnableEntropySource leaves the SAR ADC source on")
	assert.False(t, trueClosed, "DisableEntropySource and Close turn it off")
	total, noEntropy, fast := c.RNG().Reads()
	assert.Equal(t, 1+8+1, total)
	assert.Equal(t, 1, noEntropy, "only the read before EnableEntropySource had no source")
	assert.Zero(t, fast, "the driver waits 16 APB cycles between words")
}

func TestOwnership(t *testing.T) {
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		r, err := rng.New(p.RNG)
		check(err)
		//gohalvet:ignore consumed a test of the run-time ownership error
		_, err = rng.New(p.RNG)
		var inUse *periph.InUseError
		assert.ErrorAs(t, err, &inUse)
		assert.Equal(t, "RNG is already in use by rng.RNG (wanted by rng.RNG)", err.Error())
		r.Close()
		assert.PanicsWithValue(t, "rng: RNG used after Close", func() { r.Uint32() })
		//gohalvet:ignore consumed a test of the run-time ownership error
		r2, err := rng.New(p.RNG)
		check(err) // Close released the RNG
		r2.Close()
	})
}

func TestReadAllocatesNothing(t *testing.T) {
	var allocs float64
	run(t, func(c *sim.Chip, p *hal.Peripherals) {
		r, err := rng.New(p.RNG)
		check(err)
		defer r.Close()
		buf := make([]byte, 64)
		var rd io.Reader = r
		allocs = testing.AllocsPerRun(100, func() {
			rd.Read(buf)
			r.Uint32()
		})
	})
	assert.Zero(t, allocs)
}
