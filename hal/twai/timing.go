package twai

import "github.com/gohal/gohal/internal/itoa"

// Bit timing. The TWAI's time quantum is BRP APB cycles (80 MHz), and a bit is
// 1 + TSeg1 + TSeg2 quanta (the sync segment, then the sample point, then phase segment 2):
//
//	bit rate = 80 MHz / (BRP · (1 + TSeg1 + TSeg2))
//
// BUS_TIMING_0.BAUD_PRESC holds BRP/2 − 1 (so BRP is even, 2..16384), BUS_TIMING_1 holds
// TSeg1 − 1 (1..16) and TSeg2 − 1 (1..8), BUS_TIMING_0.SYNC_JUMP_WIDTH holds SJW − 1 (1..4).

// Limits of the bit-timing fields and of the bit rates New accepts.
const (
	apbHz      = 80_000_000
	MinBRP     = 2
	MaxBRP     = 16384
	MaxTSeg1   = 16
	MaxTSeg2   = 8
	MaxSJW     = 4
	MinBitRate = 25_000    // the slowest rate ESP-IDF and esp-hal offer
	MaxBitRate = 1_000_000 // CAN 2.0's fastest
	// BitRateTolerancePPM is how far the reachable rate may be from Config.BitRate.
	BitRateTolerancePPM = 1000 // 0.1 %
)

// Timing is the bit timing in quanta: BRP APB cycles per quantum, and the segments after
// the one-quantum sync segment. Config.Timing sets it directly; otherwise New computes it
// from Config.BitRate.
type Timing struct {
	BRP          int  // APB cycles per time quantum: even, 2..16384
	TSeg1        int  // quanta before the sample point (propagation + phase 1): 1..16
	TSeg2        int  // quanta after the sample point (phase 2): 1..8
	SJW          int  // synchronisation jump width: 1..4, at most TSeg2
	TripleSample bool // sample each bit three times (for slow buses)
}

// Presets: esp-hal's (and ESP-IDF's) timings for the common rates at an 80 MHz APB clock,
// 1+15+4 quanta (sample point 80 %) and SJW 3, apart from 25k and 800k (1+16+8).
var (
	Timing25k  = Timing{BRP: 128, TSeg1: 16, TSeg2: 8, SJW: 3}
	Timing50k  = Timing{BRP: 80, TSeg1: 15, TSeg2: 4, SJW: 3}
	Timing100k = Timing{BRP: 40, TSeg1: 15, TSeg2: 4, SJW: 3}
	Timing125k = Timing{BRP: 32, TSeg1: 15, TSeg2: 4, SJW: 3}
	Timing250k = Timing{BRP: 16, TSeg1: 15, TSeg2: 4, SJW: 3}
	Timing500k = Timing{BRP: 8, TSeg1: 15, TSeg2: 4, SJW: 3}
	Timing800k = Timing{BRP: 4, TSeg1: 16, TSeg2: 8, SJW: 3}
	Timing1M   = Timing{BRP: 4, TSeg1: 15, TSeg2: 4, SJW: 3}
)

var presets = [...]Timing{Timing25k, Timing50k, Timing100k, Timing125k, Timing250k, Timing500k, Timing800k, Timing1M}

// Quanta returns the quanta per bit.
func (t Timing) Quanta() int { return 1 + t.TSeg1 + t.TSeg2 }

// BitRate returns the bit rate the timing gives, rounded to the nearest bit/s.
func (t Timing) BitRate() int {
	d := t.BRP * t.Quanta()
	if d <= 0 {
		return 0
	}
	return (apbHz + d/2) / d
}

// SamplePoint returns where in the bit the bus is sampled, in per mille.
func (t Timing) SamplePoint() int {
	q := t.Quanta()
	if q <= 0 {
		return 0
	}
	return 1000 * (1 + t.TSeg1) / q
}

// check validates a timing, naming the nearest valid value of the first bad field.
func (t Timing) check() error {
	switch {
	case t.BRP < MinBRP:
		return cfgErr("Config.Timing.BRP " + itoa.Itoa(t.BRP) + " is below 2: nearest valid 2")
	case t.BRP > MaxBRP:
		return cfgErr("Config.Timing.BRP " + itoa.Itoa(t.BRP) + " is above 16384: nearest valid 16384")
	case t.BRP%2 != 0:
		return cfgErr("Config.Timing.BRP " + itoa.Itoa(t.BRP) + " is odd (BAUD_PRESC counts pairs of APB cycles): nearest valid " +
			itoa.Itoa(t.BRP-1) + " or " + itoa.Itoa(t.BRP+1))
	case t.TSeg1 < 1 || t.TSeg1 > MaxTSeg1:
		return cfgErr("Config.Timing.TSeg1 " + itoa.Itoa(t.TSeg1) + " is out of range 1..16: nearest valid " + itoa.Itoa(clamp(t.TSeg1, 1, MaxTSeg1)))
	case t.TSeg2 < 1 || t.TSeg2 > MaxTSeg2:
		return cfgErr("Config.Timing.TSeg2 " + itoa.Itoa(t.TSeg2) + " is out of range 1..8: nearest valid " + itoa.Itoa(clamp(t.TSeg2, 1, MaxTSeg2)))
	case t.SJW < 1 || t.SJW > min(MaxSJW, t.TSeg2):
		return cfgErr("Config.Timing.SJW " + itoa.Itoa(t.SJW) + " is out of range 1.." + itoa.Itoa(min(MaxSJW, t.TSeg2)) +
			" (at most 4 and at most TSeg2): nearest valid " + itoa.Itoa(clamp(t.SJW, 1, min(MaxSJW, t.TSeg2))))
	}
	return nil
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// split divides the quanta of a bit after the sync segment for a sample point near 80 %
// and an SJW of 3 (or TSeg2 when smaller).
func split(q int) Timing {
	tseg2 := clamp((q+2)/5, 1, MaxTSeg2)
	tseg2 = max(tseg2, q-1-MaxTSeg1)
	return Timing{TSeg1: q - 1 - tseg2, TSeg2: tseg2, SJW: min(3, tseg2)}
}

// BitRateError is New's error for a bit rate the TWAI cannot produce from the 80 MHz APB
// clock (or that CAN 2.0 does not have). Nearest is the nearest rate New accepts.
type BitRateError struct {
	Requested int
	Nearest   int
	Reason    string
}

func (e *BitRateError) Error() string {
	return "twai: bit rate " + itoa.Itoa(e.Requested) + " " + e.Reason + ": nearest reachable " + itoa.Itoa(e.Nearest)
}

func (e *BitRateError) Unwrap() error { return ErrConfig }

// TimingFor returns the timing for a bit rate: esp-hal's preset for 25k, 50k, 100k, 125k,
// 250k, 500k, 800k and 1M; otherwise the BRP and 8..25 quanta whose rate is exact (or
// within 0.1 %) with the sample point nearest 80 %. A rate out of 25k..1M or not reachable
// is a *BitRateError naming the nearest reachable rate.
func TimingFor(bitRate int) (Timing, error) {
	for _, p := range presets {
		if p.BitRate() == bitRate {
			return p, nil
		}
	}
	if bitRate < MinBitRate {
		return Timing{}, &BitRateError{Requested: bitRate, Nearest: MinBitRate, Reason: "is below 25000 (the slowest rate offered)"}
	}
	if bitRate > MaxBitRate {
		return Timing{}, &BitRateError{Requested: bitRate, Nearest: MaxBitRate, Reason: "is above CAN 2.0's 1000000"}
	}
	var best Timing
	bestPPM, bestScore := -1, 0
	nearest, nearestDiff := 0, int64(-1)
	for q := 25; q >= 8; q-- {
		// The even BRPs either side of the ideal one.
		ideal := apbHz / (bitRate * q)
		for _, brp := range [2]int{ideal &^ 1, ideal&^1 + 2} {
			if brp < MinBRP || brp > MaxBRP {
				continue
			}
			t := split(q)
			t.BRP = brp
			// The rate in thousandths of a bit/s, so the error is exact to the ppm.
			got := int64(apbHz) * 1000 / int64(brp*q)
			diff := got - int64(bitRate)*1000
			if diff < 0 {
				diff = -diff
			}
			if nearestDiff < 0 || diff < nearestDiff {
				nearest, nearestDiff = t.BitRate(), diff
			}
			ppm := int(diff * 1000 / int64(bitRate))
			if ppm > BitRateTolerancePPM {
				continue
			}
			score := t.SamplePoint() - 800
			if score < 0 {
				score = -score
			}
			if bestPPM < 0 || ppm < bestPPM || ppm == bestPPM && score < bestScore {
				best, bestPPM, bestScore = t, ppm, score
			}
		}
	}
	if bestPPM < 0 {
		return Timing{}, &BitRateError{Requested: bitRate, Nearest: nearest,
			Reason: "is not reachable within 0.1 % from the 80 MHz APB clock (BRP even 2..16384, 8..25 quanta per bit)"}
	}
	return best, nil
}
