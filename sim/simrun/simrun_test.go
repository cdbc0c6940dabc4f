//go:build !tinygo

package simrun

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/gpio"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

const (
	ledPin  = 8
	blinks  = 6
	blinkMs = 10
)

// blinker toggles the LED every blinkMs on a SYSTIMER alarm, blinks times.
type blinker struct {
	led   *gpio.Output
	tm    async.Timer
	armed bool
	n     int
}

func (b *blinker) Poll(cx *async.Context) bool {
	for {
		if !b.armed {
			b.tm.ResetAfter(blinkMs * async.Millisecond)
			b.armed = true
		}
		if _, ok := b.tm.Poll(cx); !ok {
			return false
		}
		b.armed = false
		b.led.Toggle()
		if b.n++; b.n == blinks {
			return true
		}
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// blinky greets on UART0, then blinks the LED on GPIO8 from an executor task.
func blinky() {
	p, err := hal.Init(hal.Config{})
	must(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	must(err)
	led, err := gpio.NewOutput(p.GPIO8, gpio.Low, gpio.OutputConfig{})
	must(err)
	u.Write([]byte("blink\n"))
	u.Flush()
	ex, err := executor.Thread(executor.Options{Name: "main"})
	must(err)
	_, err = ex.Spawner().Spawn(&blinker{led: led})
	must(err)
	ex.Run()
	ex.Close()
	u.Close()
}

func TestRunReturns(t *testing.T) {
	var out bytes.Buffer
	r, err := Run(blinky, Options{UART0: Port{TX: &out}})
	require.NoError(t, err)
	assert.Equal(t, Returned, r.End)
	assert.Equal(t, "blink\n", out.String())
	assert.Greater(t, r.Time, blinks*blinkMs*time.Millisecond)
	assert.Less(t, r.Time, blinks*blinkMs*time.Millisecond+5*time.Millisecond)
	// The core sleeps between toggles: almost all of the run.
	assert.Greater(t, r.WFI(), 0.8)
	assert.Contains(t, r.String(), "of virtual time took")
}

func TestRunDeadline(t *testing.T) {
	r, err := Run(func() {
		for {
			esp32c3.SYSTIMER.DATE.Read() // spins: time passes with each access
		}
	}, Options{For: 3 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, Deadline, r.End)
	assert.Equal(t, 3*time.Millisecond, r.Time)
	assert.Zero(t, r.WFI())
}

func TestRunPanics(t *testing.T) {
	r, err := Run(func() {
		esp32c3.SYSTIMER.DATE.Read()
		panic("boom")
	}, Options{})
	var pe *host.PanicError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "boom", pe.Value)
	assert.Equal(t, Panicked, r.End)
}

func TestRunIdleSaysWhatEachCoreWaitsFor(t *testing.T) {
	r, err := Run(func() {
		rt.Bind(rt.Source(esp32c3.IRQ_GPIO), func() {})
		rt.Enable(rt.Source(esp32c3.IRQ_GPIO), 1)
		for {
			rt.WaitForInterrupt() // nothing drives a pad: forever
		}
	}, Options{})
	require.ErrorIs(t, err, sim.ErrIdle)
	assert.Equal(t, Idle, r.End)
	require.Len(t, r.Waits, 1)
	require.Len(t, r.Waits[0].Sources, 1)
	assert.Contains(t, r.Waits[0].Sources[0], "GPIO (16) on line")
	assert.Contains(t, err.Error(), "core 0 waits for GPIO (16)")
}

// echo reads UART0 until an EOT and writes back what it read, upper-cased.
func echo() {
	p, err := hal.Init(hal.Config{NoTimeDriver: true})
	must(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	must(err)
	u.Write([]byte("ready\n"))
	var buf [64]byte
	for done := false; !done; {
		n, err := u.Read(buf[:])
		must(err)
		if i := bytes.IndexByte(buf[:n], 0x04); i >= 0 {
			n, done = i, true
		}
		u.Write(bytes.ToUpper(buf[:n]))
	}
	u.Flush()
	u.Close()
}

func TestRunFeedsRX(t *testing.T) {
	var out bytes.Buffer
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("one\n"))
		time.Sleep(20 * time.Millisecond) // the simulation waits for input, in virtual time
		pw.Write([]byte("two\n"))
		pw.Close()
	}()
	r, err := Run(echo, Options{UART0: Port{TX: &out, RX: pr, RXEnd: []byte{0x04}, RXAfterTX: true}})
	require.NoError(t, err)
	assert.Equal(t, "ready\nONE\nTWO\n", out.String())
	assert.Less(t, r.Time, 20*time.Millisecond, "virtual time does not race ahead of the input")
}

func TestRunFeedsLines(t *testing.T) {
	var out bytes.Buffer
	in := strings.NewReader("a\r\n\nb\n")
	_, err := Run(echo, Options{UART0: Port{TX: &out, RX: in, RXEnd: []byte{0x04}, RXLines: true, RXAfterTX: true}})
	require.NoError(t, err)
	assert.Equal(t, "ready\nAB", out.String())
}

// traceOf runs blinky with a trace and a VCD.
func traceOf(t *testing.T) (*Result, []byte, []byte) {
	var tr, vcd bytes.Buffer
	var out bytes.Buffer
	r, err := Run(blinky, Options{UART0: Port{TX: &out}, Trace: &tr, VCD: &vcd, VCDPins: []int{9}})
	require.NoError(t, err)
	return r, tr.Bytes(), vcd.Bytes()
}

// TestTraceIsTraceEventJSON checks the file against the trace-event format: a JSON object
// with traceEvents, each with ph, ts, pid, tid and name; B/E balanced per track; X with a
// duration; timestamps never going back on a track.
func TestTraceIsTraceEventJSON(t *testing.T) {
	r, data, _ := traceOf(t)
	var f struct {
		TraceEvents []map[string]json.RawMessage `json:"traceEvents"`
	}
	require.NoError(t, json.Unmarshal(data, &f))
	require.NotEmpty(t, f.TraceEvents)
	type track struct{ pid, tid int }
	last := map[track]float64{}
	open := map[track][]string{}
	names := map[string]int{}
	threads := map[string]bool{}
	for i, raw := range f.TraceEvents {
		var e struct {
			Name string         `json:"name"`
			Ph   string         `json:"ph"`
			Ts   *float64       `json:"ts"`
			Dur  *float64       `json:"dur"`
			Pid  *int           `json:"pid"`
			Tid  *int           `json:"tid"`
			Args map[string]any `json:"args"`
		}
		b, _ := json.Marshal(raw)
		require.NoError(t, json.Unmarshal(b, &e), "event %d", i)
		require.NotEmpty(t, e.Name, "event %d", i)
		require.Contains(t, []string{"B", "E", "X", "i", "C", "M"}, e.Ph, "event %d", i)
		require.NotNil(t, e.Pid, "event %d", i)
		if e.Ph == "M" {
			if e.Name == "thread_name" {
				threads[e.Args["name"].(string)] = true
			}
			continue
		}
		require.NotNil(t, e.Ts, "event %d", i)
		require.NotNil(t, e.Tid, "event %d", i)
		require.GreaterOrEqual(t, *e.Ts, 0.0)
		require.LessOrEqual(t, *e.Ts, float64(r.Time)/1e3)
		k := track{*e.Pid, *e.Tid}
		if e.Ph == "C" {
			k = track{*e.Pid, -int(hash(e.Name))} // a counter is a track of its own
		}
		require.GreaterOrEqual(t, *e.Ts, last[k], "event %d (%s %s) goes back in time on its track", i, e.Ph, e.Name)
		last[k] = *e.Ts
		switch e.Ph {
		case "B":
			open[k] = append(open[k], e.Name)
		case "E":
			st := open[k]
			require.NotEmpty(t, st, "event %d: E without B", i)
			require.Equal(t, st[len(st)-1], e.Name, "event %d closes another span", i)
			open[k] = st[:len(st)-1]
		case "X":
			require.NotNil(t, e.Dur, "event %d", i)
			require.Greater(t, *e.Dur, 0.0)
		}
		names[e.Ph+" "+e.Name]++
	}
	for k, st := range open {
		assert.Empty(t, st, "track %v left open", k)
	}
	assert.True(t, threads["core 0"])
	assert.True(t, threads["UART0 TX"])
	assert.True(t, threads["timer alarms"])
	// hal's time driver uses SYSTIMER target 1.
	assert.True(t, threads["IRQ SYSTIMER_TARGET1 (38)"])
	assert.GreaterOrEqual(t, names["B WFI"], blinks)
	assert.GreaterOrEqual(t, names["i SYSTIMER alarm 1"], blinks)
	assert.GreaterOrEqual(t, names["B handler: SYSTIMER_TARGET1 (38)"], blinks)
	assert.GreaterOrEqual(t, names["B asserted"], blinks)
	assert.Equal(t, len("blink\n"), names[`X 'b'`]+names[`X 'l'`]+names[`X 'i'`]+names[`X 'n'`]+names[`X 'k'`]+names["X 0x0a"])
	assert.Equal(t, blinks+2, names["C GPIO8"]) // the level out of reset, NewOutput's low, each toggle
	assert.Zero(t, r.Dropped)
}

func hash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h >> 1
}

// vcd is a parsed Value Change Dump.
type vcd struct {
	timescale string
	vars      map[string]string // id -> name
	changes   map[string][]change
}

type change struct {
	at    int64
	value byte
}

// parseVCD reads the subset WriteVCD writes, checking it as it goes: a header, one $var
// per signal, timestamps strictly increasing, values 0/1 of declared signals.
func parseVCD(t *testing.T, data []byte) vcd {
	v := vcd{vars: map[string]string{}, changes: map[string][]change{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	inDefs := true
	now := int64(-1)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if inDefs {
			switch f[0] {
			case "$timescale":
				v.timescale = f[1]
			case "$var":
				require.Len(t, f, 6, line)
				require.Equal(t, "wire", f[1])
				require.Equal(t, "1", f[2])
				require.NotContains(t, v.vars, f[3], "identifier used twice")
				v.vars[f[3]] = f[4]
			case "$enddefinitions":
				inDefs = false
			}
			continue
		}
		switch {
		case line[0] == '#':
			at, err := strconv.ParseInt(line[1:], 10, 64)
			require.NoError(t, err, line)
			require.Greater(t, at, now, "timestamps increase")
			now = at
		case line == "$dumpvars" || line == "$end":
		default:
			require.Contains(t, "01xz", line[:1], line)
			id := line[1:]
			require.Contains(t, v.vars, id, "value of an undeclared signal")
			require.GreaterOrEqual(t, now, int64(0), "value before the first timestamp")
			v.changes[id] = append(v.changes[id], change{now, line[0]})
		}
	}
	require.False(t, inDefs, "no $enddefinitions")
	return v
}

func TestVCDShowsTheLEDToggling(t *testing.T) {
	r, _, data := traceOf(t)
	v := parseVCD(t, data)
	assert.Equal(t, "1ns", v.timescale)
	ids := map[string]string{}
	for id, name := range v.vars {
		ids[name] = id
	}
	require.Contains(t, ids, "GPIO8")
	require.Contains(t, ids, "GPIO9", "a pin asked for shows though it never changes")
	require.Len(t, v.changes[ids["GPIO9"]], 1)
	led := v.changes[ids["GPIO8"]]
	// The reset level, NewOutput's low, then a toggle every blinkMs.
	require.Len(t, led, 2+blinks, "%v", led)
	var toggles []int64
	for _, c := range led[2:] {
		toggles = append(toggles, c.at)
	}
	for i := 1; i < len(toggles); i++ {
		assert.Equal(t, int64(blinkMs*time.Millisecond), toggles[i]-toggles[i-1], "toggle %d", i)
	}
	for i, c := range led[1:] {
		assert.Equal(t, "01"[(i)%2], c.value, "value %d alternates from low", i)
	}
	assert.LessOrEqual(t, toggles[len(toggles)-1], int64(r.Time))
}

func TestMainFlags(t *testing.T) {
	dir := t.TempDir()
	trace, vcdFile := filepath.Join(dir, "t.json"), filepath.Join(dir, "p.vcd")
	var stdout, stderr bytes.Buffer
	fs := flag.NewFlagSet("blinky", flag.ContinueOnError)
	code := mainArgs(blinky, Options{Summary: func(*Result) string { return "blinked" }}, fs,
		[]string{"-trace", trace, "-vcd", vcdFile, "-for", "25ms"}, strings.NewReader(""), &stdout, &stderr)
	require.Equal(t, 0, code, stderr.String())
	assert.Equal(t, "blink\n", stdout.String())
	assert.Regexp(t, `^simulator: blinked; deadline reached; CPU in WFI \d+\.\d% of the time; 25ms of virtual time took \d+ms\n$`, stderr.String())
	data, err := os.ReadFile(trace)
	require.NoError(t, err)
	assert.True(t, json.Valid(data))
	data, err = os.ReadFile(vcdFile)
	require.NoError(t, err)
	v := parseVCD(t, data)
	assert.Contains(t, v.vars, "!")
}

func TestMainIsQuietAndFailsOnError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	code := mainArgs(func() { esp32c3.APB_SARADC.CTRL.Read(); panic(errors.New("bad")) }, Options{}, fs, nil, strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, 1, code)
	assert.True(t, strings.HasPrefix(stderr.String(), "simulator: firmware panic"), stderr.String())
	assert.NotContains(t, stderr.String(), "unmodelled", "the simulator's log is behind -simlog")

	stderr.Reset()
	fs = flag.NewFlagSet("x", flag.ContinueOnError)
	code = mainArgs(func() { esp32c3.APB_SARADC.CTRL.Read() }, Options{}, fs, []string{"-simlog"}, strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, 0, code)
	assert.Contains(t, stderr.String(), "unmodelled register APB_SARADC")
}
