package esp32c3

import (
	"time"

	"github.com/gohal/gohal/rt/mmio"
)

// RNG models the random number generator's RNG_DATA register (0x6002_60B0, inside
// APB_CTRL's window; the rest of that block stays memory). Each read returns the next word
// of a deterministic generator (SplitMix64) seeded per chip: DefaultRNGSeed, or the
// RNGSeed option, so a run is reproducible and two seeds give different streams.
//
// The model says, once per chip in its log, when firmware reads RNG_DATA
//   - while no entropy source is on: the chip would then return pseudo-random numbers
//     (the TRM: true random only with the RF subsystem, which is not modelled, or the SAR
//     ADC entropy source: RTC_CNTL_SENSOR_CTRL.FORCE_XPD_SAR = 3, APB_SARADC's clock on
//     and out of reset, CLKM_CONF.CLK_EN and CTRL2.TIMER_EN set, as esp-hal's Trng leaves
//     them);
//   - sooner than 16 APB cycles (200 ns) after the previous read: faster than the
//     generator makes words (esp-hal's apb_cycle_wait_num).
type RNG struct {
	c        *Chip
	seed     uint64
	state    uint64
	reads    int
	last     time.Duration
	lowReads int // reads with no entropy source on
	fast     int // reads sooner than RNGMinInterval after the previous one
	seen     map[string]bool
}

// DefaultRNGSeed seeds every chip's RNG unless the RNGSeed option says otherwise.
const DefaultRNGSeed uint64 = 0x676F_6861_6C43_3352

// RNGMinInterval is the shortest time between two reads of RNG_DATA that yields a fresh word:
// 16 APB cycles.
const RNGMinInterval = 16 * time.Second / APBHz

// RNG register and the entropy source's registers (SVD addresses).
const (
	rngData           = 0x6002_60B0
	rtcSensorCtrl     = 0x6000_811C // RTC_CNTL_SENSOR_CTRL: FORCE_XPD_SAR [31:30]
	saradcCtrl2       = 0x6004_0004 // APB_SARADC CTRL2: TIMER_EN b24
	saradcClkmConf    = 0x6004_0054 // APB_SARADC CLKM_CONF: CLK_EN b20
	sysPeripClkEn0    = 0x600C_0010
	sysPeripRstEn0    = 0x600C_0018
	sysAPBSARADCBit   = 28
	saradcTimerEnBit  = 24
	saradcClkmCLKEnBt = 20
)

// RNGSeed seeds the chip's random number generator.
func RNGSeed(seed uint64) Option { return func(c *config) { c.rngSeed = &seed } }

func init() {
	registerModel("rng", func(c *Chip) {
		seed := DefaultRNGSeed
		if c.cfg.rngSeed != nil {
			seed = *c.cfg.rngSeed
		}
		r := &RNG{c: c, seed: seed, state: seed, last: -1, seen: map[string]bool{}}
		c.rng = r
		c.Hook(rngData, 4, r)
	})
}

// RNG returns the chip's random number generator model.
func (c *Chip) RNG() *RNG { return c.rng }

// Seed returns the generator's seed.
func (r *RNG) Seed() uint64 { return r.seed }

// Reads returns how many times firmware read RNG_DATA, how many of those reads found no
// entropy source on, and how many came sooner than RNGMinInterval after the one before.
func (r *RNG) Reads() (total, noEntropy, tooFast int) {
	r.c.Lock()
	defer r.c.Unlock()
	return r.reads, r.lowReads, r.fast
}

// EntropySource reports whether the SAR ADC entropy source is on, as the registers say.
func (c *Chip) EntropySource() bool {
	c.Lock()
	defer c.Unlock()
	return entropyOn()
}

func entropyOn() bool {
	sensor := uint32(mmio.Peek(rtcSensorCtrl, 4))
	clk := uint32(mmio.Peek(sysPeripClkEn0, 4))
	rst := uint32(mmio.Peek(sysPeripRstEn0, 4))
	ctrl2 := uint32(mmio.Peek(saradcCtrl2, 4))
	clkm := uint32(mmio.Peek(saradcClkmConf, 4))
	return sensor>>30 == 3 && clk&(1<<sysAPBSARADCBit) != 0 && rst&(1<<sysAPBSARADCBit) == 0 &&
		ctrl2&(1<<saradcTimerEnBit) != 0 && clkm&(1<<saradcClkmCLKEnBt) != 0
}

// next is SplitMix64.
func (r *RNG) next() uint32 {
	r.state += 0x9E37_79B9_7F4A_7C15
	z := r.state
	z = (z ^ z>>30) * 0xBF58_476D_1CE4_E5B9
	z = (z ^ z>>27) * 0x94D0_49BB_1331_11EB
	return uint32((z ^ z>>31) >> 16)
}

func (r *RNG) once(key, format string, args ...any) {
	if r.seen[key] {
		return
	}
	r.seen[key] = true
	r.c.Logf("RNG: "+format, args...)
}

// Read implements mmio.Device: a read of RNG_DATA returns the next word.
func (r *RNG) Read(addr uintptr, size int) uint64 {
	r.c.Lock()
	defer r.c.Unlock()
	now := r.c.Now()
	r.reads++
	if !entropyOn() {
		r.lowReads++
		r.once("noentropy", "RNG_DATA read with no entropy source on (the SAR ADC source is off; the RF subsystem is not modelled): on the chip these words are pseudo-random, not true random")
	}
	if r.last >= 0 && now-r.last < RNGMinInterval {
		r.fast++
		r.once("fast", "RNG_DATA read %v after the previous read: the generator makes a word every 16 APB cycles (%v); on the chip a faster read has less entropy", now-r.last, RNGMinInterval)
	}
	r.last = now
	return subRead(r.next(), addr, size)
}

// Write implements mmio.Device: RNG_DATA ignores writes.
func (r *RNG) Write(addr uintptr, size int, v uint64) {
	r.c.Lock()
	defer r.c.Unlock()
	r.once("write", "RNG_DATA written (%#x): the generator ignores it", v)
}
