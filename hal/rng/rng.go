// Package rng is gohal's driver for the ESP32-C3's random number generator: 32-bit words
// read from RNG_DATA (0x6002_60B0), as an io.Reader and one word at a time.
//
//	p, _ := hal.Init(hal.Config{})
//	r, err := rng.New(p.RNG)
//	r.EnableEntropySource() // the SAR ADC's noise: true random numbers (the ADC is taken)
//	var key [16]byte
//	r.Read(key[:])
//	n := r.Uint32()
//
// # Entropy
//
// The generator mixes its noise sources into RNG_DATA continuously. Per the TRM its output
// is true random only while an entropy source runs: the RF subsystem (Wi-Fi or Bluetooth
// on, which gohal never turns on) or the SAR ADC's internal entropy source. Without one,
// RNG_DATA gives pseudo-random numbers, fine for jitter and test patterns but not for
// keys or nonces. EnableEntropySource starts the SAR ADC source with the sequence esp-hal's
// Trng and ESP-IDF's bootloader_random_enable use on the C3 (ADC2's internal reference
// sampled by the digital ADC controller's timer, its low bits feeding the generator); it
// occupies the SAR ADC until DisableEntropySource or Close. TrueRandom reports whether it
// runs.
//
// Not done yet: the sequence's four writes on the internal analog I2C bus (bridging ADC2's
// internal reference: ADC_SAR2_ENCAL_REF = 1, DTEST_RTC, ENT_RTC, ENT_TSENS = 0). esp-hal
// makes them through the mask ROM's rom_i2c_readReg/rom_i2c_writeReg, which fault under
// TinyGo's startup (regi2c_tinygo.go), so on the chip the ADC's timer samples without the
// reference bridged. Whether that alone gives the TRM's true randomness is unverified: treat
// TrueRandom as "the digital controller's entropy sampling runs", not as a certification.
//
// # Rate
//
// A new word is ready every 16 APB cycles (esp-hal's apb_cycle_wait_num: 200 ns at 80 MHz,
// the 5 MHz read rate the TRM allows); reading faster returns words with less entropy. Read
// and Uint32 wait for that, counting core cycles (rt.Cycles) since the previous word. (On the
// simulator, where register accesses are what moves virtual time, the wait loop reads
// SYSTEM.PERIP_CLK_EN0 while it spins.)
//
// # Ownership
//
// New claims the RNG token; a second driver is an error naming the owner. Read allocates
// nothing and may be called from an interrupt handler, but one driver value serves one
// context at a time.
package rng

import (
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
)

// APBCyclesPerWord is the wait between two reads of RNG_DATA, in APB cycles.
const APBCyclesPerWord = 16

// RNG is the random number generator driver. It implements io.Reader.
type RNG struct {
	wait    uint32 // core cycles between two words
	last    uint32 // rt.Cycles at the previous word
	primed  bool   // a word has been read since New
	entropy bool   // EnableEntropySource ran and has not been undone
	closed  bool
}

// New claims the RNG. The generator's clock is always on; New writes nothing.
func New(_ periph.RNG) (*RNG, error) {
	if err := periph.Claim(periph.KindRNG, 0, "rng.RNG"); err != nil {
		return nil, err
	}
	cpu := uint64(rt.CPUFrequency())
	if cpu == 0 {
		cpu = periph.APBHz
	}
	wait := (APBCyclesPerWord*cpu + periph.APBHz - 1) / periph.APBHz
	return &RNG{wait: uint32(wait)}, nil
}

func (r *RNG) check() {
	if r.closed {
		panic("rng: RNG used after Close")
	}
}

// word waits until a fresh word is ready and reads it.
func (r *RNG) word() uint32 {
	if r.primed {
		for rt.Cycles()-r.last < r.wait {
			relax()
		}
	}
	v := esp32c3.RNG.DATA.Read()
	r.last = rt.Cycles()
	r.primed = true
	return uint32(v)
}

// Uint32 returns a random word.
func (r *RNG) Uint32() uint32 {
	r.check()
	return r.word()
}

// Read fills p with random bytes (little-endian words, the last one cut short) and returns
// len(p), nil. It allocates nothing.
func (r *RNG) Read(p []byte) (int, error) {
	r.check()
	n := 0
	for n < len(p) {
		w := r.word()
		for k := 0; k < 4 && n < len(p); k++ {
			p[n] = byte(w)
			w >>= 8
			n++
		}
	}
	return n, nil
}

// TrueRandom reports whether this driver has the SAR ADC entropy source running.
func (r *RNG) TrueRandom() bool { r.check(); return r.entropy }

// EnableEntropySource starts the SAR ADC entropy source (see the package documentation); the
// SAR ADC is then the generator's until DisableEntropySource or Close.
func (r *RNG) EnableEntropySource() {
	r.check()
	if !r.entropy {
		enableEntropy()
		r.entropy = true
	}
}

// DisableEntropySource stops the SAR ADC entropy source and returns the ADC to its default
// mode; later words are pseudo-random.
func (r *RNG) DisableEntropySource() {
	r.check()
	if r.entropy {
		disableEntropy()
		r.entropy = false
	}
}

// Close stops the entropy source if this driver started it and releases the RNG.
func (r *RNG) Close() {
	r.check()
	if r.entropy {
		disableEntropy()
		r.entropy = false
	}
	r.closed = true
	periph.Release(periph.KindRNG, 0)
}
