//go:build !tinygo

package host

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// corofwRun runs testdata/corofw under the race detector in mode and returns its output.
func corofwRun(t *testing.T, mode string) (string, error) {
	t.Helper()
	if !HiddenHandoffs {
		t.Skipf("on %s the CPU model's hand-offs are visible to the race detector", runtime.GOARCH)
	}
	if testing.Short() {
		t.Skip("builds a program with -race")
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "run", "-race", "./testdata/corofw", mode)
	out, err := cmd.CombinedOutput()
	s := string(out)
	if err != nil && (strings.Contains(s, "-race requires cgo") || strings.Contains(s, "-race is not supported")) {
		t.Skipf("the race detector is not available here: %s", s)
	}
	return s, err
}

// An adopted coroutine is no hiding place: its race with an interrupt handler is reported,
// coroutine frame against handler frame.
func TestHandoffRaceWithHandlerIsReported(t *testing.T) {
	out, err := corofwRun(t, "racy")
	require.Error(t, err, out)
	require.Contains(t, out, "WARNING: DATA RACE")
	for _, want := range []string{"main.coroutine()", "(*Core).DispatchSources()"} {
		require.Contains(t, out, want, "the report shows both sides")
	}
}

// And the same program with critical sections, and with a buffer passed through Resume and
// Yield alone, passes.
func TestHandoffCriticalSectionsAndHandOffsAreRaceFree(t *testing.T) {
	out, err := corofwRun(t, "correct")
	require.NoError(t, err, out)
	require.NotContains(t, out, "DATA RACE")
	var count, runs, sum int
	_, err = fmt.Sscanf(out, "count = %d (200 + %d handler runs), sum = %d", &count, &runs, &sum)
	require.NoError(t, err, out)
	require.GreaterOrEqual(t, runs, 2, "the timer preempted the coroutine")
	require.Equal(t, 200+runs, count)
	require.Equal(t, 2208, sum)
}
