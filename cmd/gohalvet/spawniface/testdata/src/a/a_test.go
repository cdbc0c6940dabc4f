package a

import (
	"testing"

	"github.com/gohal/gohal/async"
)

// Tests run on the host, where there is no flash to save: not reported.
func TestSpawn(t *testing.T) {
	var s async.Spawner
	s.Spawn(&blink{})
}
