package golden

import (
	"testing"

	"github.com/gohal/gohal/golden/demo/timer"
	"github.com/gohal/gohal/rt/mmio"
)

// A cluster derived from a sibling (MATCH_B derivedFrom MATCH_A) shares its struct type, so
// one function serves both units and a value read from one unit can be written to the
// other. This file does not compile if the generator gives MATCH_B types of its own.
func TestDerivedClusterSharesItsType(t *testing.T) {
	defer mmio.ResetMemory()
	tm := mmio.At[timer.TIMER](0x4001_0000)
	arm := func(m *timer.MATCH_A, v uint32) { m.VALUE.Write(timer.MATCH_A_VALUEValue(v)) }
	arm(&tm.MATCH_A, 1234)
	arm(&tm.MATCH_B, 99)
	tm.MATCH_B.VALUE.Write(tm.MATCH_A.VALUE.Read() + 1)
	if a, b := tm.MATCH_A.VALUE.Read(), tm.MATCH_B.VALUE.Read(); a != 1234 || b != 1235 {
		t.Fatalf("MATCH_A.VALUE = %d, MATCH_B.VALUE = %d; want 1234 and 1235", a, b)
	}
}
