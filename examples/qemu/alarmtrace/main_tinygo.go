//go:build tinygo && esp32c3

// Command alarmtrace is the firmware `make tinygo` traces instruction by instruction on
// Espressif's QEMU to measure the path from a SYSTIMER alarm to its timer's task's Poll,
// thread executor asleep in WFI: a task waits on an async.Timer AlarmSamples times, 1 ms
// each, with nothing else to run. The trace counts from the alarm's trap entry to
// pollMarker (the first call in the task's polls after its first), function by function
// (internal/tinygorun, waketrace.go).
package main

import (
	"device/riscv"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
)

// AlarmSamples is how many alarms are traced.
const AlarmSamples = 3

// pollMarker is the trace's end: not inlined, so that it has an entry address.
//
//go:noinline
func pollMarker() { riscv.Asm("nop") }

// alarmed waits on a timer AlarmSamples times.
type alarmed struct {
	tm    async.Timer
	armed bool
	n     int
}

func (a *alarmed) Poll(cx *async.Context) bool {
	if a.armed {
		pollMarker() // a poll the alarm woke (the first poll was the spawn's)
	}
	for {
		if !a.armed {
			a.tm.Reset(async.Now().Add(async.Millisecond))
			a.armed = true
		}
		if _, ok := a.tm.Poll(cx); !ok {
			return false
		}
		a.armed = false
		if a.n++; a.n == AlarmSamples {
			return true
		}
	}
}

func main() {
	if _, err := hal.Init(hal.Config{}); err != nil {
		panic(err)
	}
	th, err := executor.Thread(executor.Options{Name: "main"})
	if err != nil {
		panic(err)
	}
	if _, err := async.SpawnWith(th.Spawner(), &alarmed{}, async.SpawnOptions{Name: "alarmed"}); err != nil {
		panic(err)
	}
	th.Run()
	println("alarmtrace: done")
	// Stop executing: interrupts off, the core asleep, so the trace ends here.
	riscv.MSTATUS.ClearBits(1 << 3)
	for {
		riscv.Asm("wfi")
	}
}
