//go:build !tinygo && go1.25

package simrun

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/pac/esp32c3"
)

// A firmware that sleeps with time.Sleep passes that much virtual time in a bubble.
func TestRunInBubbleSleeps(t *testing.T) {
	r, err := RunInBubble(t, func() {
		for i := 0; i < 100; i++ {
			esp32c3.SYSTIMER.DATE.Read()
			time.Sleep(10 * time.Millisecond)
		}
	}, Options{})
	require.NoError(t, err)
	assert.InDelta(t, float64(time.Second), float64(r.Time), float64(10*time.Millisecond))
}
