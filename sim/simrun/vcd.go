//go:build !tinygo

package simrun

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"time"
)

// WriteVCD writes the pads' activity during r as a Value Change Dump (IEEE 1364 §18), in
// nanoseconds of virtual time: a 1-bit wire per pad that changed level (a pad the firmware
// drove or that Setup drove), plus pins, starting from the levels out of reset. Run writes
// it to Options.VCD; r must come from a run that recorded edges (Options.VCD or
// Options.Trace set).
func WriteVCD(w io.Writer, r *Result, pins ...int) error { return writeVCD(w, r, pins) }

func writeVCD(w io.Writer, r *Result, extra []int) error {
	show := map[int]bool{}
	for _, p := range extra {
		if p >= 0 && p < numPads {
			show[p] = true
		}
	}
	for _, e := range r.edges {
		show[e.Pin] = true
	}
	pins := sortedKeys(show)
	id := map[int]string{}
	for i, p := range pins {
		id[p] = vcdID(i)
	}

	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "$version gohal sim/simrun (simulated ESP32-C3) $end\n")
	fmt.Fprintf(b, "$comment %s after %v of virtual time $end\n", r.End, r.Time)
	fmt.Fprintf(b, "$timescale 1ns $end\n")
	fmt.Fprintf(b, "$scope module esp32c3 $end\n")
	for _, p := range pins {
		fmt.Fprintf(b, "$var wire 1 %s GPIO%d $end\n", id[p], p)
	}
	fmt.Fprintf(b, "$upscope $end\n$enddefinitions $end\n")
	fmt.Fprintf(b, "#0\n$dumpvars\n")
	for _, p := range pins {
		fmt.Fprintf(b, "%d%s\n", bit(r.levels>>p&1 != 0), id[p])
	}
	fmt.Fprintf(b, "$end\n")

	edges := append(r.edges[:0:0], r.edges...)
	sort.SliceStable(edges, func(i, j int) bool { return edges[i].At < edges[j].At })
	last := time.Duration(0)
	for _, e := range edges {
		if e.At != last {
			fmt.Fprintf(b, "#%d\n", int64(e.At))
			last = e.At
		}
		fmt.Fprintf(b, "%d%s\n", bit(e.Level), id[e.Pin])
	}
	if r.Time > last {
		fmt.Fprintf(b, "#%d\n", int64(r.Time))
	}
	return b.Flush()
}

// vcdID is the i-th identifier code, from the printable ASCII characters '!'..'~'.
func vcdID(i int) string {
	const first, n = '!', '~' - '!' + 1
	s := ""
	for {
		s = string(rune(first+i%n)) + s
		i /= n
		if i == 0 {
			return s
		}
		i--
	}
}
