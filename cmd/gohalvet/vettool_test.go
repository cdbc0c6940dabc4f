package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// firmware is a scratch module's program with one misuse of each rule gohalvet has, each
// marked with the message expected on its line.
const firmware = `package main

import (
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/rt"
)

var ready bool

func main() {
	p, _ := hal.Init(hal.Config{})
	u, _ := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	ua := u.IntoAsync()
	u.Write([]byte("hi")) // WANT consumed: u used after u.IntoAsync() at line 19 consumed it
	led, _ := gpio.NewOutput(p.GPIO21, gpio.Low, gpio.OutputConfig{}) // WANT consumed: p.GPIO21 is passed to gpio.NewOutput after uart.New took it at line 18
	_ = led

	hi, _ := executor.Interrupt(0, 2, executor.Options{})
	hi.Spawner().Spawn(async.Go(func(t *async.T) {})) // WANT irqstraight: straight-line task (async.Go) spawned on an interrupt-mode executor
	hi.Spawner().Spawn(&blinker{}) // WANT spawniface: task *blinker spawned as a Task interface value (Spawn)

	cs := rt.EnterCritical() // WANT critsec: critical section cs is not exited on every path: a return at line 30
	if ready {
		return
	}
	cs.Exit()
	if !ready {
		rt.WaitForInterrupt() // WANT critsec: rt.WaitForInterrupt after a condition checked outside a critical section
	}
	rt.StartCore(1, func() {
		ua.Write([]byte("from core 1")) // WANT crosscore: async driver ua is used by code started on core 1
	})
	rt.Bind(rt.Source(1), func() { // WANT irqblock: interrupt handler (function literal) may block or allocate: time.Sleep
		time.Sleep(time.Millisecond)
	})
	tm := async.After(async.Millisecond)
	tm.Poll(nil)
	tm = async.After(2 * async.Millisecond) // WANT armed: future tm is assigned over while it may still be armed
	_ = tm
}

type blinker struct{ on bool }

func (b *blinker) Poll(*async.Context) bool { b.on = !b.on; return false }
`

// TestGoVetRunsGohalvetOnAScratchModule builds gohalvet, writes a module outside gohal that
// requires it through a replace, and runs go vet -vettool on it: every misuse is reported
// at its line with its message, and nothing else is.
func TestGoVetRunsGohalvetOnAScratchModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gohalvet and runs go vet")
	}
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	tmp := t.TempDir()
	tool := filepath.Join(tmp, "gohalvet")
	if runtime.GOOS == "windows" {
		tool += ".exe"
	}
	build := exec.Command("go", "build", "-o", tool, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	mod := filepath.Join(tmp, "scratch")
	require.NoError(t, os.MkdirAll(mod, 0o755))
	gomod := "module example.com/scratch\n\ngo 1.23\n\nrequire github.com/gohal/gohal v0.0.0\n\nreplace github.com/gohal/gohal => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.mod"), []byte(gomod), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(mod, "go.sum"), sum, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(mod, "main.go"), []byte(firmware), 0o644))

	vet := exec.Command("go", "vet", "-vettool="+tool, "./...")
	vet.Dir = mod
	vet.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err = vet.CombinedOutput()
	require.Error(t, err, "go vet must fail on the misuse:\n%s", out)

	// Expected diagnostics: "main.go:LINE" and the message start, from the WANT comments.
	want := map[int]string{}
	for i, line := range strings.Split(firmware, "\n") {
		if _, w, ok := strings.Cut(line, "// WANT "); ok {
			_, msg, _ := strings.Cut(w, ": ")
			want[i+1] = msg
		}
	}
	require.Len(t, want, 9)
	diag := regexp.MustCompile(`(?m)^(?:\./)?main\.go:(\d+):\d+: (.*)$`) // go vet prints ./main.go or main.go by version
	got := map[string]string{}
	for _, m := range diag.FindAllStringSubmatch(string(out), -1) {
		got[m[1]] = m[2]
	}
	for line, msg := range want {
		key := strconv.Itoa(line)
		if assert.Contains(t, got, key, "no diagnostic at main.go:%d; go vet said:\n%s", line, out) {
			assert.True(t, strings.HasPrefix(got[key], msg), "main.go:%d: got %q, want it to start with %q", line, got[key], msg)
		}
	}
	assert.Len(t, got, len(want), "only the misuse is reported:\n%s", out)
}
