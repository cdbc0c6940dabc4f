package async

import (
	"go/types"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/packages"
)

// TestTaskHeaderSize32 reports the RAM the executor keeps per task on a 32-bit target (the
// sizes of GOARCH=arm, as TinyGo's 32-bit targets lay structs out), from the type checker
// rather than from a run on another architecture. Target: at most 16 bytes of header
// (embassy's task header is about 40 bytes); the statistics are reported separately.
func TestTaskHeaderSize32(t *testing.T) {
	if testing.Short() {
		t.Skip("loads the package for another architecture")
	}
	cfg := &packages.Config{
		Mode: packages.NeedTypes | packages.NeedTypesSizes | packages.NeedName,
		Env:  append(envWithout("GOARCH", "GOOS", "CGO_ENABLED"), "GOARCH=arm", "GOOS=linux", "CGO_ENABLED=0"),
	}
	pkgs, err := packages.Load(cfg, "github.com/gohal/gohal/async")
	require.NoError(t, err)
	require.Len(t, pkgs, 1)
	require.Empty(t, pkgs[0].Errors)
	sizes := types.SizesFor("gc", "arm")
	size := func(name string) int64 {
		obj := pkgs[0].Types.Scope().Lookup(name)
		require.NotNil(t, obj, name)
		return sizes.Sizeof(obj.Type())
	}
	// The statistics live in the slot, so the poll loop reaches both with one index.
	stats := size("TaskStats")
	header := size("slot") - stats
	t.Logf("per task on a 32-bit target: %d bytes of header (task, poll function, scheduling word), %d bytes of statistics; wake/timer state lives in the futures", header, stats)
	require.LessOrEqual(t, header, int64(16))
	require.LessOrEqual(t, stats, int64(16))
}
