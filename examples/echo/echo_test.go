//go:build !tinygo

package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/uart"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

const greeting = "echo: UART0 at 115200 baud, LED on GPIO8; send lines, Ctrl-D to stop\r\n"

// frame is one 8N1 frame at 115200 baud from XTAL (CLKDIV 347, FRAG 3).
const frame = time.Duration(10 * 5555 * 1000 / 16 / 40)

func TestEchoOnTheSimulator(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	led := c.GPIO().Watch(ledPin)
	rx := c.UART(0)
	rx.FeedAt(100*time.Millisecond, []byte("hello\n")...)
	rx.FeedAt(600*time.Millisecond, []byte("world\n")...)
	rx.FeedAt(1100*time.Millisecond, eot)
	require.NoError(t, c.Run(firmware))

	assert.Equal(t, greeting+"hello\nworld\necho: 2 lines, 12 bytes; bye\r\n", string(rx.TXBytes()))
	// "hello\n" comes back once the line has been quiet for the RX timeout (10 frames).
	tx := rx.TX()
	echoStart := tx[len(greeting)].Start
	want := 100*time.Millisecond + 6*frame + 10*frame
	assert.GreaterOrEqual(t, echoStart, want)
	assert.Less(t, echoStart, want+5*time.Microsecond)
	// The LED toggled every 250 ms while the echo ran: 4 times in 1.1 s.
	var edges []time.Duration
	for _, e := range led.Edges() {
		if e.At > time.Millisecond && e.At < 1100*time.Millisecond { // not Close's reset at the end
			edges = append(edges, e.At)
		}
	}
	require.Len(t, edges, 4, "edges %v", edges)
	for i := 1; i < len(edges); i++ {
		assert.Equal(t, 250*time.Millisecond, edges[i]-edges[i-1])
	}
	assert.Equal(t, 4, stats.Toggles)
}

// TestEchoFedFromAReader is what `go run ./examples/echo` does with standard input: the
// host start feeds the reader into UART0 and ends with an EOT at end of input.
func TestEchoFedFromAReader(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var out bytes.Buffer
	c, err := simulate(firmware, strings.NewReader("one\ntwo\nthree"), &out, io.Discard, false)
	require.NoError(t, err)
	assert.Equal(t, greeting+"one\ntwo\nthreeecho: 2 lines, 13 bytes; bye\r\n", out.String())
	assert.Less(t, c.Now(), 10*time.Millisecond, "virtual time does not race ahead of the input")
}

// streamInput is a continuous stream of lines: 4000 bytes, 0.35 s at 115200 baud.
func streamInput() string {
	var b strings.Builder
	for i := 0; b.Len() < 4000; i++ {
		b.WriteString("line ")
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), 10+i%50))
		b.WriteString("\n")
	}
	return b.String()
}

// Figures of the blocking echo, for the comparison.
var blockingWFI, blockingTotal uint32

// blockingEcho is the same echo with the Blocking driver: Read spins on the RX FIFO count,
// so the core never sleeps.
func blockingEcho() {
	p, err := hal.Init(hal.Config{NoTimeDriver: true})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: baud}, p.GPIO21, p.GPIO20)
	check(err)
	u.Write([]byte(greeting))
	start := rt.Cycles()
	var buf [64]byte
	for done := false; !done; {
		n, err := u.Read(buf[:])
		check(err)
		if i := bytes.IndexByte(buf[:n], eot); i >= 0 {
			n, done = i, true
		}
		u.Write(buf[:n])
	}
	u.Flush()
	blockingTotal = rt.Cycles() - start
	blockingWFI = 0 // no rt.WaitForInterrupt anywhere on this path
	u.Close()
}

// TestEchoCPUIdleFraction is the figure: the fraction of virtual time the CPU
// spends in WFI while echoing a continuous stream at 115200 baud, async (target ≥ 95%)
// against blocking (≈ 0%).
func TestEchoCPUIdleFraction(t *testing.T) {
	in := streamInput()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var out bytes.Buffer
	_, err := simulate(firmware, strings.NewReader(in), &out, io.Discard, false)
	require.NoError(t, err)
	bye := "echo: " + itoa(strings.Count(in, "\n")) + " lines, " + itoa(len(in)) + " bytes; bye\r\n"
	require.Equal(t, greeting+in+bye, out.String())
	async := float64(stats.IdleCycles) / float64(stats.TotalCycles)

	hal.ResetForTest()
	out.Reset()
	_, err = simulate(blockingEcho, strings.NewReader(in), &out, io.Discard, false)
	require.NoError(t, err)
	require.Equal(t, greeting+in, out.String())
	blocking := float64(blockingWFI) / float64(blockingTotal)

	t.Logf("echo of %d bytes at 115200 baud: CPU in WFI %.2f%% (async: %d of %d cycles) vs %.2f%% (blocking: %d cycles, all spent polling)",
		len(in), 100*async, stats.IdleCycles, stats.TotalCycles, 100*blocking, blockingTotal)
	assert.GreaterOrEqual(t, async, 0.95)
	assert.LessOrEqual(t, blocking, 0.01)
}

func itoa(n int) string {
	s := ""
	for ; n > 0 || s == ""; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

const usbGreeting = "echo: USB-Serial-JTAG, LED on GPIO8; send lines, Ctrl-D to stop\r\n"

// TestEchoOverUSB is `go run ./examples/echo -console usb`: the same echo through the
// USB-Serial-JTAG, the host's input written to the simulated USB endpoint and what the
// host reads collected; UART0 stays silent.
func TestEchoOverUSB(t *testing.T) {
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var out bytes.Buffer
	in := "one\ntwo\nthree"
	c, err := simulateUSB(firmware, strings.NewReader(in), &out, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, usbGreeting+in+"echo: 2 lines, 13 bytes; bye\r\n", out.String())
	assert.Empty(t, c.UART(0).TXBytes(), "UART0 is not the console")
	for _, p := range c.USBSerial().Packets() {
		assert.LessOrEqual(t, len(p.Data), 64)
	}
}

// TestEchoOverUSBStream echoes a continuous 4000-byte stream through the USB endpoint.
func TestEchoOverUSBStream(t *testing.T) {
	in := streamInput()
	hal.ResetForTest()
	t.Cleanup(hal.ResetForTest)
	var out bytes.Buffer
	_, err := simulateUSB(firmware, strings.NewReader(in), &out, io.Discard)
	require.NoError(t, err)
	bye := "echo: " + itoa(strings.Count(in, "\n")) + " lines, " + itoa(len(in)) + " bytes; bye\r\n"
	require.Equal(t, usbGreeting+in+bye, out.String())
}
