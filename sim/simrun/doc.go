//go:build !tinygo

// Package simrun runs ESP32-C3 firmware on the simulator (sim/esp32c3) from a test or a
// command of your own module: it builds the chip, lets you attach devices and wire pads
// before the firmware starts, connects the UARTs to io.Writers and io.Readers, runs the
// firmware function in virtual time until it returns (or a virtual deadline), and reports
// how the run ended, how much virtual time passed and how much of it the CPU slept in WFI.
// It can also write what happened as pictures: a Chrome trace-event file (interrupts, WFI,
// timer alarms, UART frames, pad levels) and a VCD of the pads.
//
// The firmware is the same function the chip runs: write it against gohal's hal packages
// (or pac and rt), call it from main on the chip, and from a test or from Main on the
// host. A test:
//
//	func TestGreets(t *testing.T) {
//		var out bytes.Buffer
//		r, err := simrun.Run(firmware, simrun.Options{
//			UART0: simrun.Port{TX: &out},
//			Setup: func(c *sim.Chip) { c.I2C0().Attach(0x38, sim.NewAHT20()) },
//		})
//		require.NoError(t, err)
//		assert.Equal(t, "hello\r\n", out.String())
//		t.Logf("%v", r) // firmware returned; CPU in WFI 97.0% of the time; 12ms of virtual time took 3ms
//	}
//
// A command's host build (a file with //go:build !tinygo) is one line, and takes the flags
// -realtime, -for, -trace, -vcd, -simlog and -cpu (see Main):
//
//	func main() { simrun.Main(firmware, simrun.Options{}) }
//
// # Time
//
// Virtual time passes with the firmware's register accesses (50 ns each by default) and
// jumps ahead when every core waits for an interrupt, to the next thing a model has
// scheduled. Code between register accesses takes no virtual time unless the run measures
// CPU time (below). Firmware that sleeps
// with time.Sleep, or measures with time.Now, sees the wall clock under Run; under
// RunInBubble (go test, Go 1.25 or later) Go's clock follows virtual time. See
// sim/esp32c3's package documentation, section Time.
//
// # CPU time
//
// By default (Options.CPU CPUCounted) the firmware's computation between register accesses
// is free: a task that loops for a second without touching a register shows a poll of no
// virtual time. Firmware can declare what such code costs on the chip with rt.Spend(cycles)
// (a busy-wait of that many cycles on the chip; a deterministic charge here). With
// CPUMeasured (Main's -cpu measured) the simulator also charges the host CPU time the code
// takes between preemption points, scaled to chip cycles (Options.CPUScale, calibrated at
// the start of the run by default) and quantised to whole cycles: then Result.Tasks' busy
// and longest times and the WFI fraction show CPU-bound tasks, to within a factor of a few
// (rt/host's package documentation, section CPU time, gives the model and its error). A
// measured run is not deterministic, and Result.String and Main's closing line say so.
//
// # Ends
//
// Run returns a Result whatever happened and an error unless the firmware returned or
// Options.For was reached: a *host.PanicError if it panicked, an *IdleError (errors.Is
// sim.ErrIdle) naming the interrupt sources each core still waits for if it waits for an
// interrupt nothing will raise, or the simulator's own error.
//
// # Pictures
//
// With Options.Trace set, the run is recorded and written as Chrome trace-event JSON when
// it ends (WriteTrace says what is in it); open the file in https://ui.perfetto.dev or
// chrome://tracing. With Options.VCD set, every pad that changed level is written as a
// Value Change Dump with nanosecond timestamps; open it in GTKWave. Recording adds no
// happens-before edge between the firmware's thread code and its handlers, so it hides no
// data race from go test -race.
//
// Only one simulated chip runs at a time in a process: tests that use Run must not be
// parallel.
package simrun
