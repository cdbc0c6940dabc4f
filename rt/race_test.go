//go:build !tinygo

package rt_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gohal/gohal/rt/host"
)

// raceRun runs testdata/racefw under the race detector in mode and returns its output.
func raceRun(t *testing.T, mode string) (string, error) {
	t.Helper()
	if !host.HiddenHandoffs {
		t.Skipf("on %s the CPU model's hand-offs are visible to the race detector", runtime.GOARCH)
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "run", "-race", "./testdata/racefw", mode)
	out, err := cmd.CombinedOutput()
	s := string(out)
	if err != nil && (strings.Contains(s, "-race requires cgo") || strings.Contains(s, "-race is not supported")) {
		t.Skipf("the race detector is not available here: %s", s)
	}
	return s, err
}

func TestRaceDetectorReportsHandlerRaces(t *testing.T) {
	out, err := raceRun(t, "racy")
	if err == nil || !strings.Contains(out, "WARNING: DATA RACE") {
		t.Fatalf("racy firmware passed the race detector (err %v):\n%s", err, out)
	}
	// The two sides of the report are the unprotected counter (bump, main.counter.func1), one
	// reached from thread mode and one from the handler.
	for _, want := range []string{"main.counter.func1()", "(*Core).threadMain()", "(*Core).DispatchSources()"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the report does not show %s:\n%s", want, out)
		}
	}
}

func TestRaceDetectorAcceptsCriticalSections(t *testing.T) {
	out, err := raceRun(t, "correct")
	if err != nil || strings.Contains(out, "DATA RACE") {
		t.Fatalf("correct firmware failed under the race detector (err %v):\n%s", err, out)
	}
	var count, runs int
	if _, err := fmt.Sscanf(out, "count = %d (200 + %d handler runs)", &count, &runs); err != nil || runs < 2 || count != 200+runs {
		t.Fatalf("output %q: want 200 + one per handler run, with several runs", out)
	}
}

func TestRaceDetectorOrdersHandlersAfterTheirRaise(t *testing.T) {
	out, err := raceRun(t, "handoff")
	if err != nil || strings.Contains(out, "DATA RACE") {
		t.Fatalf("data written before raising the interrupt is reported as racing with its handler (err %v):\n%s", err, out)
	}
	if !strings.Contains(out, "sum = 36") {
		t.Fatalf("output %q, want sum = 36", out)
	}
}
