package uart

import "github.com/gohal/gohal/internal/itoa"

// Baud-rate arithmetic (esp32c3-facts.md §6): the UART core clock sclk (XTAL 40 MHz or APB
// 80 MHz, selected in CLK_CONF.SCLK_SEL) is divided by an integer pre-divider
// CLK_CONF.SCLK_DIV_NUM+1 (1..256) and then by CLKDIV + FRAG/16 (CLKDIV 12 bits, FRAG 4 bits):
//
//	baud = sclk / (DIV_NUM+1) / (CLKDIV + FRAG/16)
//
// The fields are computed as esp-hal and ESP-IDF compute them: d = ⌈sclk/(4095·baud)⌉,
// DIV_NUM = d−1, x = ⌊16·sclk/(baud·d)⌋, CLKDIV = x>>4, FRAG = x&15.

const (
	maxDivNum  = 255  // SCLK_DIV_NUM is 8 bits
	maxClkDiv  = 4095 // CLKDIV is 12 bits
	maxX       = maxClkDiv<<4 | 15
	minBaud    = 1
	maxBaudTRM = 5_000_000 // the ESP32-C3 TRM's maximum UART rate
	// DefaultBaudTolerancePPM is the largest relative error between the requested and the
	// reachable rate that New accepts when Config.BaudTolerancePPM is 0: 2%.
	DefaultBaudTolerancePPM = 20_000
)

// divider is a programmed baud-rate divider.
type divider struct {
	divNum uint32 // CLK_CONF.SCLK_DIV_NUM
	clkDiv uint32 // CLKDIV.CLKDIV
	frag   uint32 // CLKDIV.FRAG
}

// x returns the fractional divider in sixteenths.
func (d divider) x() uint64 { return uint64(d.clkDiv)<<4 | uint64(d.frag) }

// rateMilli returns the rate the divider produces from sclk, in thousandths of a baud.
func (d divider) rateMilli(sclk uint64) uint64 {
	den := uint64(d.divNum+1) * d.x()
	return (16*sclk*1000 + den/2) / den
}

// rate returns the rate the divider produces from sclk, rounded to the nearest baud.
func (d divider) rate(sclk uint64) int { return int((d.rateMilli(sclk) + 500) / 1000) }

// slowestBaud returns the lowest whole baud rate the divider reaches from sclk.
func slowestBaud(sclk uint64) int {
	den := uint64(maxClkDiv) * (maxDivNum + 1)
	return int((sclk + den - 1) / den)
}

// computeDivider returns esp-hal's divider for baud from sclk, or a *BaudError when the rate
// is out of the divider's range or the reachable rate is further than tolPPM from it.
func computeDivider(baud int, sclk uint64, clockName string, tolPPM int) (divider, error) {
	if baud > maxBaudTRM {
		return divider{}, &BaudError{Requested: baud, Nearest: maxBaudTRM, Clock: clockName,
			Reason: "is above the ESP32-C3 UART's maximum of 5000000 baud"}
	}
	if lo := slowestBaud(sclk); baud < lo {
		return divider{}, &BaudError{Requested: baud, Nearest: lo, Clock: clockName,
			Reason: "is below the slowest rate the divider reaches (SCLK_DIV_NUM 255, CLKDIV 4095)"}
	}
	b := uint64(baud)
	d := (sclk + maxClkDiv*b - 1) / (maxClkDiv * b)
	x := 16 * sclk / (b * d)
	if x > maxX {
		x = maxX
	}
	div := divider{divNum: uint32(d - 1), clkDiv: uint32(x >> 4), frag: uint32(x & 15)}
	got := div.rateMilli(sclk)
	want := b * 1000
	diff := got - want
	if got < want {
		diff = want - got
	}
	ppm := diff * 1000 / b // (diff/1000)/b · 10⁶
	if tolPPM <= 0 {
		tolPPM = DefaultBaudTolerancePPM
	}
	if ppm > uint64(tolPPM) {
		return divider{}, &BaudError{Requested: baud, Nearest: div.rate(sclk), Clock: clockName,
			ErrorPPM: int(ppm), TolerancePPM: tolPPM,
			Reason: "is not reachable within the tolerance"}
	}
	return div, nil
}

// BaudError is New's error for a baud rate the UART cannot produce. Nearest is the
// nearest rate it can: the maximum or minimum for a rate out of range, or the rate the
// divider actually reaches when that is off by more than the tolerance.
type BaudError struct {
	Requested    int
	Nearest      int
	Clock        string // "XTAL (40 MHz)" or "APB (80 MHz)"
	Reason       string
	ErrorPPM     int // how far Nearest is from Requested, in parts per million (tolerance errors)
	TolerancePPM int // the tolerance that was exceeded
}

func (e *BaudError) Error() string {
	s := "uart: " + itoa.Itoa(e.Requested) + " baud " + e.Reason
	if e.TolerancePPM > 0 {
		s += " of " + ppmString(e.TolerancePPM) + " from the " + e.Clock + " clock: the nearest reachable rate is " +
			itoa.Itoa(e.Nearest) + " baud (" + ppmString(e.ErrorPPM) + " off)"
		return s
	}
	return s + " from the " + e.Clock + " clock; the nearest reachable rate is " + itoa.Itoa(e.Nearest) + " baud"
}

// ppmString formats parts per million as a percentage with two decimals: 20000 → "2.00%".
func ppmString(ppm int) string {
	hundredths := (ppm + 50) / 100
	frac := hundredths % 100
	s := itoa.Itoa(hundredths/100) + "."
	if frac < 10 {
		s += "0"
	}
	return s + itoa.Itoa(frac) + "%"
}
