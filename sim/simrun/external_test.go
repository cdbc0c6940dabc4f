//go:build !tinygo && go1.25

package simrun

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The files of a module outside gohal, as a user would write it: its own firmware, which
// reads an AHT20 through hal/i2c and the unmodified tinygo.org/x/drivers/aht20 driver, and
// its own test, which runs that firmware on the public runner in a synctest bubble (the
// driver's time.Sleep for the conversion passes virtual time) with sim/esp32c3's AHT20 model
// on I2C0.
var externalModule = map[string]string{
	"go.mod": `module example.com/sensorfw

go 1.25

require (
	github.com/gohal/gohal v0.0.0
	github.com/stretchr/testify v1.11.1
	tinygo.org/x/drivers v0.33.0
)

replace github.com/gohal/gohal => REPO
`,
	"firmware.go": `// Package sensorfw is firmware of a module of its own: it reads an AHT20 on I2C0.
package sensorfw

import (
	"tinygo.org/x/drivers/aht20"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/i2c"
)

// Reading is what the firmware measured.
type Reading struct {
	DeciCelsius, DeciRelHumidity int32
	RawTemp, RawHumidity         uint32
	Err                          error
}

// Firmware reads the sensor once and stores the result in *out.
func Firmware(out *Reading) func() {
	return func() {
		p, err := hal.Init(hal.Config{})
		if err != nil {
			out.Err = err
			return
		}
		bus, err := i2c.New(p.I2C0, i2c.Config{Frequency: 400_000}, p.GPIO5, p.GPIO6)
		if err != nil {
			out.Err = err
			return
		}
		defer bus.Close()
		dev := aht20.New(bus)
		dev.Configure()
		out.Err = dev.Read()
		out.DeciCelsius, out.DeciRelHumidity = dev.DeciCelsius(), dev.DeciRelHumidity()
		out.RawTemp, out.RawHumidity = dev.RawTemp(), dev.RawHumidity()
	}
}
`,
	"firmware_test.go": `package sensorfw

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"tinygo.org/x/drivers/aht20"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

func TestReadsTheSensor(t *testing.T) {
	var got Reading
	r, err := simrun.RunInBubble(t, Firmware(&got), simrun.Options{
		Setup: func(c *sim.Chip) { c.I2C0().Attach(aht20.Address, sim.NewAHT20()) },
		For:   time.Second,
	})
	require.NoError(t, err)
	require.Equal(t, simrun.Returned, r.End)
	require.NoError(t, got.Err)
	// The model out of power-on: 25 °C and 50 %RH, as 20-bit codes (datasheet §6.2:
	// T = code/2^20*200-50, RH = code/2^20*100).
	require.Equal(t, uint32(393216), got.RawTemp)
	require.Equal(t, uint32(524288), got.RawHumidity)
	require.Equal(t, int32(250), got.DeciCelsius)
	require.Equal(t, int32(500), got.DeciRelHumidity)
	// Configure sleeps 10 ms, Read 80 ms: both passed in virtual time.
	require.GreaterOrEqual(t, r.Time, 90*time.Millisecond)
	require.Less(t, r.Time, 95*time.Millisecond)
	t.Logf("READING %d.%d C %d.%d %%RH after %v of virtual time", got.DeciCelsius/10, got.DeciCelsius%10,
		got.DeciRelHumidity/10, got.DeciRelHumidity%10, r.Time)
}
`,
}

// raceSupported reports whether go test -race works on this platform (the detector's
// list; cgo is not needed on these since Go 1.20).
func raceSupported() bool {
	switch runtime.GOOS + "/" + runtime.GOARCH {
	case "linux/amd64", "linux/arm64", "linux/ppc64le", "linux/s390x", "linux/loong64",
		"darwin/amd64", "darwin/arm64", "freebsd/amd64", "netbsd/amd64", "windows/amd64":
		return true
	}
	return false
}

// TestExternalModuleUnderRace is issue 14's "done when": a module outside gohal, which
// requires it through a replace, runs its own firmware with an x/drivers sensor driver on
// the public runner under go test -race and reads the value the sensor model gives. It
// compiles a race-enabled test binary (about half a minute), so -short skips it.
func TestExternalModuleUnderRace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a module of its own under go test -race (-short)")
	}
	if !raceSupported() {
		t.Skipf("the race detector is not available on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	sum, err := os.ReadFile(filepath.Join(repo, "go.sum"))
	require.NoError(t, err, "the repository's go.sum")

	dir := t.TempDir()
	for name, text := range externalModule {
		text = strings.ReplaceAll(text, "REPO", filepath.ToSlash(repo))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goCmd, "test", "-race", "-count=1", "-v", ".")
	cmd.Dir = dir
	// Everything comes from the module cache and the replace: no network.
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	t.Logf("go test -race in %s took %v:\n%s", dir, time.Since(start).Round(time.Millisecond), out.String())
	if err != nil && strings.Contains(out.String(), "-race requires cgo") {
		t.Skip("the race detector needs cgo here")
	}
	require.NoError(t, err, "go test -race in the external module failed")
	assert.Contains(t, out.String(), "READING 25.0 C 50.0 %RH after ")
	assert.Contains(t, out.String(), "--- PASS: TestReadsTheSensor")
}
