// Command racefw is firmware for rt's race-detector test: run with -race, its "racy" mode
// shares a counter between an interrupt handler and thread code without a critical section,
// which the detector must report; its "correct" mode uses critical sections and must pass.
package main

import (
	"fmt"
	"os"

	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/host"
	"github.com/gohal/gohal/rt/mmio"
)

// A one-register peripheral: writing 1 raises interrupt source 1, writing 0 lowers it.
const swBase = 0x6100_0000

type swint struct{ m *host.Machine }

func (s swint) Read(addr uintptr, size int) uint64 { return 0 }
func (s swint) Write(addr uintptr, size int, v uint64) {
	s.m.SetSource(1, v&1 != 0)
	s.m.Poll()
}

var (
	sw      = mmio.At[mmio.U32](swBase)
	scratch = mmio.At[mmio.U32](0x6200_0000)
)

func main() {
	racy := len(os.Args) > 1 && os.Args[1] == "racy"
	m := host.New(host.Config{})
	defer mmio.Hook(swBase, swBase+4, swint{m})()
	count := 0
	bump := func() {
		if racy {
			count++ // racy: the handler may run between this read and write
			return
		}
		rt.Critical(func() { count++ })
	}
	err := m.Run(func() {
		rt.Bind(1, func() {
			sw.Store(0)
			bump()
		})
		rt.Enable(1, 1)
		for i := 0; i < 100; i++ {
			bump()
			scratch.Load()
			sw.Store(1) // the handler runs right after this write
		}
		rt.Critical(func() { fmt.Println("count =", count) })
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
