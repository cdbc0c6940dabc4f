package esp32c3

import (
	"fmt"
	"math"
	"time"
)

// ADC models the one-shot conversions of SAR ADC1 through APB_SARADC (base 0x60040000),
// and the ADC calibration the chip's eFuse BLOCK2 holds.
//
// A conversion starts when ONETIME_SAMPLE.ONETIME_START goes from 0 to 1 with
// SARADC1_ONETIME_SAMPLE set (esp-hal's and ESP-IDF's one-shot sequence), on
// ONETIME_CHANNEL at ONETIME_ATTEN. ConversionTime later (virtual time) SAR1DATA_STATUS holds
// the 12-bit result (with the channel in bits 16:13, which drivers mask off) and
// INT_RAW.APB_SARADC1_DONE (bit 31) is set; source 43 (APB_ADC) is INT_RAW & INT_ENA.
// ADC1's channels 0..4 are the pads GPIO0..GPIO4; a test sets their voltage with SetVoltage
// or SetVoltageFunc (sampled at the conversion's start). Other channels convert to 0 and
// are logged; ADC2 one-shots and the digital controller's pattern table, timer, filters
// and thresholds are not modelled (their registers are memory, logged when touched).
//
// The analog model: each attenuation has a full scale, the input that gives code 4095 on an
// ideal chip, chosen so that the eFuse reference voltage (400, 550, 750, 1370 mV, ESP-IDF's
// esp_efuse_rtc_calib) reads 2000 on it: 819, 1126, 1536 and 2805 mV. A chip has a gain
// error per attenuation (ADCCalibration.Gain): it reads round(V × 2000 × Gain / Vref),
// clamped to 0..4095. The eFuse holds, as on a calibrated chip (BLK_VERSION_MAJOR = 1),
// each attenuation's ADC1_CAL_VOL (the reading at Vref, stored as 2000 ± a 9-bit magnitude
// with bit 9 for the sign) and ADC1_INIT_CODE (the reading at 0 V before the offset trim,
// stored minus 1000). The SAR's analog side (the regi2c bus that takes the init code) is
// not modelled: the model takes the offset trim as programmed with the eFuse init code, as
// esp-hal and ESP-IDF program it, so 0 V reads 0 and the error left is the gain, which
// line fitting (mV = raw × Vref / ADC1_CAL_VOL) removes.
type ADC struct {
	c    *Chip
	blk  *block
	line irq

	raw, ena, onetime uint32
	data              uint32
	volts             [adcChannels]func(time.Duration) float64
	convEv            *Event
	convTime          time.Duration
	cal               ADCCalibration
	conversions       int
}

// ADCCalibration is a simulated chip's ADC1 errors and what its eFuse says about them.
type ADCCalibration struct {
	// Gain is each attenuation's gain error (0 dB, 2.5 dB, 6 dB, 11 dB): the chip reads
	// Gain times the ideal code. 0.75..1.25.
	Gain [4]float64
	// InitCode is each attenuation's ADC1_INIT_CODE as esp-hal reads it (the eFuse field +
	// 1000): 1000..2023.
	InitCode [4]uint16
	// Version is BLK_VERSION_MAJOR of BLOCK2: 1 when the ADC calibration is burnt in, 0 on
	// an uncalibrated chip (its ADC fields read 0).
	Version uint8
}

// DefaultADCCalibration is a chip's ADC errors unless a test sets others: gains off by a
// few percent, both ways.
var DefaultADCCalibration = ADCCalibration{
	Gain:     [4]float64{1.021, 0.984, 1.032, 0.973},
	InitCode: [4]uint16{1541, 1582, 1610, 1688},
	Version:  1,
}

// ADCReference is the eFuse reference voltage of each attenuation, in mV (ESP-IDF's
// esp_efuse_rtc_calib_get_cal_voltage for the ESP32-C3).
var ADCReference = [4]float64{400, 550, 750, 1370}

// DefaultADCConversionTime is the virtual time a one-shot conversion takes unless a test
// sets another (the TRM gives no figure for one-shot mode; this is nominal).
const DefaultADCConversionTime = 20 * time.Microsecond

const (
	adcBase      = 0x6004_0000
	adcChannels  = 5
	adcSysBit    = 28 // SYSTEM.PERIP_CLK_EN0 / PERIP_RST_EN0 APB_SARADC bit
	adcCTRL      = 0x00
	adcONETIME   = 0x20
	adcSAR1DATA  = 0x2C
	adcINTENA    = 0x40
	adcINTRAW    = 0x44
	adcINTST     = 0x48
	adcINTCLR    = 0x4C
	adcDone1     = 1 << 31
	adcOneStart  = 1 << 29
	adcOneADC2   = 1 << 30
	adcOneADC1   = 1 << 31
	efuseBLK2    = 0x6000_885C // EFUSE RD_SYS_PART1_DATA0..7
	efuseBLK2Len = 0x20

	// SourceAPBADC is APB_SARADC's interrupt-matrix source (APB_ADC).
	SourceAPBADC Source = 43
)

func init() {
	registerModel("adc", func(c *Chip) {
		a := &ADC{c: c, line: irq{c: c, src: SourceAPBADC}, convTime: DefaultADCConversionTime, cal: DefaultADCCalibration}
		a.blk = newBlock(c, "APB_SARADC", adcBase, adcModelled)
		a.blk.sysBit = adcSysBit
		periphOf(c).adc = a
		c.Hook(adcBase, blockSize, wordDevice{a})
		c.Hook(efuseBLK2, efuseBLK2Len, efuseDevice{a})
		c.OnPeripheralReset(0, adcSysBit, a.reset)
	})
}

// ADC returns the chip's SAR ADC model.
func (c *Chip) ADC() *ADC { return periphOf(c).adc }

func (a *ADC) lock()            { a.c.Lock() }
func (a *ADC) unlock()          { a.c.Unlock() }
func (a *ADC) regBlock() *block { return a.blk }

func adcModelled(off uintptr) bool {
	switch off {
	case adcONETIME, adcSAR1DATA, adcINTENA, adcINTRAW, adcINTST, adcINTCLR:
		return true
	}
	return false
}

func (a *ADC) reset() {
	if a.convEv != nil {
		a.convEv.Cancel()
		a.convEv = nil
	}
	a.raw, a.ena, a.onetime, a.data = 0, 0, 0, 0
	a.blk.reset()
	a.line.set(false)
}

func (a *ADC) update() { a.line.set(a.raw&a.ena != 0) }

func (a *ADC) readReg(off uintptr) uint32 {
	switch off {
	case adcONETIME:
		return a.onetime
	case adcSAR1DATA:
		return a.data
	case adcINTENA:
		return a.ena
	case adcINTRAW:
		return a.raw
	case adcINTST:
		return a.raw & a.ena
	case adcINTCLR:
		return 0
	}
	a.blk.touch(off, false)
	return a.blk.load(off)
}

func (a *ADC) writeReg(off uintptr, v uint32) {
	switch off {
	case adcONETIME:
		old := a.onetime
		a.onetime = v & 0xFF80_0000
		if v&adcOneStart != 0 && old&adcOneStart == 0 {
			a.start()
		}
	case adcINTENA:
		a.ena = v & 0xFC00_0000
		a.update()
	case adcINTCLR:
		a.raw &^= v
		a.update()
	case adcINTRAW, adcINTST, adcSAR1DATA:
	default:
		a.blk.touch(off, true)
		a.blk.store(off, v)
	}
}

// start begins a one-shot conversion as ONETIME_SAMPLE says.
func (a *ADC) start() {
	v := a.onetime
	if v&adcOneADC2 != 0 {
		a.blk.once("adc2", "ADC2 one-shot conversions are not modelled")
	}
	if v&adcOneADC1 == 0 {
		return
	}
	if a.convEv != nil {
		a.blk.once("busy", "ONETIME_START while a conversion is in progress: the new one replaces it")
		a.convEv.Cancel()
	}
	if field(a.blk.load(adcCTRL), 28, 27) != 3 {
		a.blk.once("xpd", "a conversion with CTRL.SARADC_XPD_SAR_FORCE != 3: on the chip the SAR may be powered down (esp-hal sets 3)")
	}
	ch := int(field(v, 28, 25))
	atten := int(field(v, 24, 23))
	raw := a.convert(ch, atten)
	a.conversions++
	a.convEv = a.c.After(a.convTime, func() {
		a.convEv = nil
		a.data = raw | uint32(ch)<<13
		a.raw |= adcDone1
		a.update()
	})
}

// convert returns the code channel ch reads at attenuation atten now.
func (a *ADC) convert(ch, atten int) uint32 {
	if ch >= adcChannels {
		a.blk.once(fmt.Sprintf("ch%d", ch), "ADC1 channel %d has no pad on the ESP32-C3 (channels 0..4 are GPIO0..GPIO4): it converts to 0", ch)
		return 0
	}
	f := a.volts[ch]
	if f == nil {
		a.blk.once(fmt.Sprintf("nov%d", ch), "ADC1 channel %d (GPIO%d) converted with no voltage set (SetVoltage): it reads 0 V", ch, ch)
		return 0
	}
	return adcCode(f(a.c.Now()), atten, a.cal.Gain[atten])
}

func adcCode(mv float64, atten int, gain float64) uint32 {
	code := math.Round(mv * 2000 * gain / ADCReference[atten])
	return uint32(min(max(code, 0), 4095))
}

// ADCFullScale returns the input, in mV, that reads 4095 on an ideal chip at attenuation
// atten (0 dB, 2.5 dB, 6 dB, 11 dB = 0..3).
func ADCFullScale(atten int) float64 { return ADCReference[atten] * 4095 / 2000 }

func checkADCPad(pin int) {
	if pin < 0 || pin >= adcChannels {
		panic(fmt.Sprintf("esp32c3: GPIO%d is not an ADC1 pad (ADC1's channels are GPIO0..GPIO4)", pin))
	}
}

// SetVoltage sets the voltage, in mV, on ADC1 pad pin (GPIO0..GPIO4). It may be called
// while firmware runs; conversions started afterwards see it.
func (a *ADC) SetVoltage(pin int, mv float64) {
	a.SetVoltageFunc(pin, func(time.Duration) float64 { return mv })
}

// SetVoltageFunc makes the voltage on ADC1 pad pin a function of virtual time, sampled when
// a conversion starts (a potentiometer turned by a test, a sensor's output). f runs with the
// chip lock held and must not call back into the chip.
func (a *ADC) SetVoltageFunc(pin int, f func(at time.Duration) float64) {
	checkADCPad(pin)
	a.c.Lock()
	defer a.c.Unlock()
	a.volts[pin] = f
}

// SetConversionTime sets the virtual time a one-shot conversion takes.
func (a *ADC) SetConversionTime(d time.Duration) {
	a.c.Lock()
	defer a.c.Unlock()
	a.convTime = d
}

// SetCalibration replaces the chip's ADC errors and eFuse calibration (before the firmware
// reads them).
func (a *ADC) SetCalibration(cal ADCCalibration) {
	a.c.Lock()
	defer a.c.Unlock()
	a.cal = cal
}

// Calibration returns the chip's ADC errors and eFuse calibration.
func (a *ADC) Calibration() ADCCalibration {
	a.c.Lock()
	defer a.c.Unlock()
	return a.cal
}

// Conversions returns how many one-shot ADC1 conversions firmware started.
func (a *ADC) Conversions() int {
	a.c.Lock()
	defer a.c.Unlock()
	return a.conversions
}

// IdealCode returns the code an ideal chip (no gain error) reads for mv at atten: what
// uncalibrated firmware would take the raw reading to mean.
func IdealCode(mv float64, atten int) uint32 { return adcCode(mv, atten, 1) }

// blk2 returns the eFuse BLOCK2 words (RD_SYS_PART1_DATA0..7) the calibration gives:
// BLK_VERSION_MAJOR at bit 128 (2 bits), ADC1_INIT_CODE_ATTENn at bit 148 + 10n and
// ADC1_CAL_VOL_ATTENn at bit 188 + 10n (10 bits each; esp-hal's efuse/esp32c3 fields).
func (cal *ADCCalibration) blk2() [8]uint32 {
	var w [8]uint32
	put := func(bit, width int, v uint32) {
		for i := 0; i < width; i++ {
			if v>>i&1 != 0 {
				b := bit + i
				w[b/32] |= 1 << (b % 32)
			}
		}
	}
	put(128, 2, uint32(cal.Version))
	if cal.Version != 1 {
		return w
	}
	for n := 0; n < 4; n++ {
		put(148+10*n, 10, uint32(cal.InitCode[n])-1000)
		code := int(math.Round(2000 * cal.Gain[n]))
		var f uint32
		if code >= 2000 {
			f = uint32(code - 2000)
		} else {
			f = 1<<9 | uint32(2000-code)
		}
		put(188+10*n, 10, f)
	}
	return w
}

// efuseDevice serves EFUSE RD_SYS_PART1_DATA0..7 (BLOCK2) from the ADC calibration.
type efuseDevice struct{ a *ADC }

func (d efuseDevice) Read(addr uintptr, size int) uint64 {
	d.a.c.Lock()
	defer d.a.c.Unlock()
	w := d.a.cal.blk2()
	off := addr - efuseBLK2
	v := uint64(w[off/4])
	if size == 8 && off/4+1 < 8 {
		v |= uint64(w[off/4+1]) << 32
	}
	return subRead(uint32(v), addr, size) | v&^0xFFFF_FFFF
}

func (d efuseDevice) Write(addr uintptr, size int, v uint64) {
	d.a.c.Lock()
	defer d.a.c.Unlock()
	d.a.blk.once("efusewr", "EFUSE BLOCK2 read registers written at %#x: they are read-only", addr)
}
