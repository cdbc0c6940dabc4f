//go:build !tinygo

package simrun

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// Main is the host half of a firmware command (`go run ./cmd/myfirmware`): it parses the
// command line, runs firmware with Run and o, prints UART0's TX line on standard output
// unless o.UART0.TX says otherwise, closes with one line on standard error, and exits
// with status 1 if the run failed.
//
// Flags (on flag.CommandLine, so a command may add its own before calling Main):
//
//	-realtime     pace virtual time to the wall clock (the default when o.Stdin feeds a
//	              terminal)
//	-for 10s      stop when virtual time reaches 10s (Options.For); a clean end
//	-trace FILE   write a Chrome trace-event JSON of the run (Perfetto, chrome://tracing)
//	-vcd FILE     write the pads' activity as a Value Change Dump (GTKWave)
//	-simlog       show the simulator's log (unmodelled registers, model notes) on
//	              standard error; a plain run prints nothing the firmware did not send
//	-cpu measured charge the host CPU time the firmware's code takes between register
//	              accesses, scaled to chip cycles (Options.CPU); the default, counted,
//	              is deterministic. The closing line then says the run is not deterministic
//	-cpu-scale x  chip cycles per host CPU nanosecond for -cpu measured (default:
//	              calibrated at start, host.CalibrateCPU)
//
// The closing line reads "simulator: [o.Summary; ]<how it ended>; CPU in WFI x% of the
// time; <t> of virtual time took <wall>".
func Main(firmware func(), o Options) {
	os.Exit(mainArgs(firmware, o, flag.CommandLine, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// mainArgs is Main with its inputs and outputs as arguments; it returns the exit status.
func mainArgs(firmware func(), o Options, fs *flag.FlagSet, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	realTimeDefault := o.RealTime || (o.Stdin == Stdin && isTerminal(stdin))
	realTime := fs.Bool("realtime", realTimeDefault, "pace virtual time to the wall clock")
	until := fs.Duration("for", o.For, "stop when virtual time reaches this (0: run until the firmware returns)")
	traceFile := fs.String("trace", "", "write a Chrome trace-event JSON of the run to `file` (open it in ui.perfetto.dev)")
	vcdFile := fs.String("vcd", "", "write the pads' activity as a Value Change Dump to `file` (open it in GTKWave)")
	simLog := fs.Bool("simlog", false, "show the simulator's log (unmodelled registers, model notes) on standard error")
	cpu := o.CPU
	fs.Var(&cpu, "cpu", "how computation between register accesses is charged: `counted` (deterministic) or measured (host CPU time, scaled)")
	cpuScale := fs.Float64("cpu-scale", o.CPUScale, "chip cycles per host CPU nanosecond for -cpu measured (0: calibrate)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	o.RealTime, o.For = *realTime, *until
	o.CPU, o.CPUScale = cpu, *cpuScale
	if *simLog {
		o.Log = stderr
	}
	if o.Configure != nil {
		if err := o.Configure(&o); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	con := &o.UART0
	if o.Console == ConsoleUSB {
		con = &o.USB
	}
	if con.TX == nil {
		con.TX = stdout
	}
	switch o.Stdin {
	case Stdin:
		con.RX = stdin
	case StdinRealTime:
		if o.RealTime {
			con.RX = stdin
			con.RXLines = true
		}
	}
	var files []*os.File
	create := func(name string) (io.Writer, error) {
		f, err := os.Create(name)
		if err == nil {
			files = append(files, f)
		}
		return f, err
	}
	var err error
	if *traceFile != "" {
		if o.Trace, err = create(*traceFile); err != nil {
			fmt.Fprintln(stderr, "simulator:", err)
			return 1
		}
	}
	if *vcdFile != "" {
		if o.VCD, err = create(*vcdFile); err != nil {
			fmt.Fprintln(stderr, "simulator:", err)
			return 1
		}
	}
	r, err := Run(firmware, o)
	for _, f := range files {
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		fmt.Fprintln(stderr, "simulator:", err)
		return 1
	}
	fmt.Fprintln(stderr, "simulator: "+Summary(r, o.Summary))
	return 0
}

// Summary is Main's closing line without its "simulator: " prefix: what extra says, if
// set, then how the run ended, the WFI fraction and the times.
func Summary(r *Result, extra func(*Result) string) string {
	s := r.String()
	if extra != nil {
		s = extra(r) + "; " + s
	}
	return s
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
