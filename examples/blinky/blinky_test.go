//go:build !tinygo

package main

import (
	"io"
	"strings"
	"testing"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
)

func TestBlinkyOnTheSimulator(t *testing.T) {
	c := sim.New(sim.Log(io.Discard), sim.Timeout(time.Minute))
	led := c.GPIO().Watch(ledPin)
	if err := c.Run(firmware); err != nil {
		t.Fatal(err)
	}
	out := string(c.UART(0).TXBytes())
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	if len(lines) != blinks+2 || lines[0] != "blinky: LED on GPIO8, SYSTIMER alarm every 500 ms" ||
		lines[1] != "blink 1: LED on  at 500 ms" || lines[10] != "blink 10: LED off at 5000 ms" ||
		lines[11] != "blinky: done after 10 blinks" {
		t.Fatalf("UART0 said:\n%s", out)
	}
	// The pin toggles at the alarms, every 500 ms from when the comparator was loaded (a few
	// microseconds after reset): high at 0.5 s, 1.5 s, ... exactly one second apart.
	var rises, falls []time.Duration
	for _, e := range led.Edges() {
		if e.Level {
			rises = append(rises, e.At)
		} else if e.At > 0 {
			falls = append(falls, e.At)
		}
	}
	if len(rises) != 5 || len(falls) < 5 {
		t.Fatalf("edges: rises %v falls %v", rises, falls)
	}
	if rises[0] < 500*time.Millisecond || rises[0] > 501*time.Millisecond {
		t.Fatalf("first rise at %v", rises[0])
	}
	for i, r := range rises {
		if want := rises[0] + time.Duration(i)*time.Second; r != want {
			t.Fatalf("rise %d at %v, want %v", i, r, want)
		}
		if f := falls[len(falls)-5+i]; f != r+500*time.Millisecond {
			t.Fatalf("fall after rise %d at %v, want %v", i, f, r+500*time.Millisecond)
		}
	}
}
