//go:build !tinygo

package host

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Firmware that spins on a plain variable touches no register, so virtual time stands still
// and no interrupt can ever be taken: Run must say so instead of hanging.
func TestSpinWithoutRegisterAccessIsReportedAsStall(t *testing.T) {
	var release atomic.Bool
	defer release.Store(true) // lets the abandoned core goroutine finish
	m := New(Config{StallLimit: 200 * time.Millisecond, StopGrace: 50 * time.Millisecond})
	err := m.Run(func() {
		for !release.Load() {
		}
	})
	if !errors.Is(err, ErrStalled) {
		t.Fatalf("Run = %v, want ErrStalled", err)
	}
	if !strings.Contains(err.Error(), "WaitForInterrupt") {
		t.Errorf("the error should say what to do instead: %v", err)
	}
}
