//go:build tinygo && esp32c3

// Command waketrace is the firmware `make tinygo` traces instruction by instruction on
// Espressif's QEMU to measure the path from Waker.Wake() in an interrupt handler to the
// woken task's Poll (thread executor awake): a software interrupt's handler wakes the task
// whose poll raised it, WakeSamples times. The trace counts the instructions between
// wakeMarker (called just before the Wake) and pollMarker (the first call in the Poll),
// function by function (internal/tinygorun, waketrace.go).
package main

import (
	"device/riscv"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/swint"
)

// WakeSamples is how many wakes are traced.
const WakeSamples = 3

var (
	wakeSWI  *swint.SoftwareInterrupt
	wakeTask async.Waker
	polls    int
)

// wakeMarker and pollMarker are the trace's bounds: not inlined, so that each has an entry
// address the trace can find.
//
//go:noinline
func wakeMarker() { riscv.Asm("nop") }

//go:noinline
func pollMarker() { riscv.Asm("nop") }

func onWakeSWI() {
	wakeSWI.Clear()
	wakeMarker()
	wakeTask.Wake()
}

// woken raises the software interrupt from its poll; the handler preempts it at once and
// wakes it, and its next poll starts with pollMarker.
type woken struct{}

func (woken) Poll(cx *async.Context) bool {
	pollMarker()
	polls++
	if polls > WakeSamples {
		return true
	}
	wakeTask = cx.Waker()
	wakeSWI.Raise()
	return false
}

func main() {
	p, err := hal.Init(hal.Config{})
	if err != nil {
		panic(err)
	}
	th, err := executor.Thread(executor.Options{Name: "main"})
	if err != nil {
		panic(err)
	}
	if wakeSWI, err = swint.Take(1); err != nil {
		panic(err)
	}
	_ = p
	wakeSWI.Bind(onWakeSWI, 1)
	if _, err := async.SpawnWith(th.Spawner(), &woken{}, async.SpawnOptions{Name: "woken"}); err != nil {
		panic(err)
	}
	th.Run()
	println("waketrace: done")
	// Stop executing: interrupts off, the core asleep, so the trace ends here.
	riscv.MSTATUS.ClearBits(1 << 3)
	for {
		riscv.Asm("wfi")
	}
}
