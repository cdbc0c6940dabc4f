// Package periph holds the ESP32-C3's peripheral and pin tokens that hal.Init hands out, and
// the ownership registry that makes each one usable by one driver at a time: a driver
// constructor claims the tokens it is given and fails, naming the resource and its owner,
// when one is already in use; Close (or Release) gives them back.
//
// Tokens are small values; copying one does not copy ownership, the registry is the truth.
package periph

import (
	"errors"

	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/rt"
)

// Kind is a class of resource.
type Kind uint8

// The resource kinds.
const (
	KindPin Kind = iota
	KindUART
	KindI2C
	KindSPI
	KindTIMG
	KindSoftwareInterrupt
	KindSYSTIMER
	KindRNG       // the random number generator (hal/rng)
	KindRWDT      // the RTC watchdog in RTC_CNTL (hal/wdt)
	KindMWDT      // the timer groups' main watchdogs, MWDT0 in TIMG0 and MWDT1 in TIMG1 (hal/wdt)
	KindRMT       // the RMT's channels: 0 and 1 transmit, 2 and 3 receive (hal/rmt)
	KindDMA       // the GDMA's channels, each a transmit and a receive side (hal/dma)
	KindLEDCTimer // the LEDC's four low-speed timers (hal/ledc)
	KindLEDC      // the LEDC's six low-speed PWM channels (hal/ledc)
	KindADC       // the SAR ADCs; ADC1 is number 1 (hal/adc)
	// KindUSBSerialJTAG is the USB-Serial-JTAG controller's serial port (hal/usbserial).
	KindUSBSerialJTAG
	KindTWAI // the TWAI (CAN 2.0) controller, TWAI0 (hal/twai)
	numKinds
)

var kindNames = [numKinds]string{"GPIO", "UART", "I2C", "SPI", "TIMG", "FROM_CPU_INTR", "SYSTIMER", "RNG", "RWDT", "MWDT", "RMT", "DMA_CH", "LEDC_TIMER", "LEDC", "ADC", "USB_SERIAL_JTAG", "TWAI"}

// Counts of each kind on the ESP32-C3.
const (
	NumPins               = 22
	NumUARTs              = 2
	NumI2Cs               = 1
	NumSPIs               = 3 // SPI0/1 are the flash's; SPI2 is the general-purpose one
	NumTIMGs              = 2
	NumSoftwareInterrupts = 4
	NumMWDTs              = 2 // one per timer group
	NumRMTChannels        = 4 // TX channels 0 and 1, RX channels 2 and 3
	NumDMAChannels        = 3 // GDMA channels 0..2
	NumLEDCTimers         = 4 // LEDC low-speed timers 0..3
	NumLEDCChannels       = 6 // LEDC low-speed channels 0..5
	NumADCs               = 2 // numbers 0 and 1 so that ADC1 is number 1; only ADC1 is handed out
	NumTWAIs              = 1 // TWAI0
)

// Pin is a GPIO pin token.
type Pin struct{ n uint8 }

// UART is a UART controller token (UART0, UART1).
type UART struct{ n uint8 }

// I2C is an I2C controller token (I2C0).
type I2C struct{ n uint8 }

// SPI is an SPI controller token (SPI2).
type SPI struct{ n uint8 }

// TIMG is a timer-group token (TIMG0, TIMG1).
type TIMG struct{ n uint8 }

// SoftwareInterrupt is a FROM_CPU_INTRn token.
type SoftwareInterrupt struct{ n uint8 }

// RNG is the random number generator's token (there is one).
type RNG struct{}

// RWDT is the RTC watchdog's token (there is one).
type RWDT struct{}

// MWDT is a timer group's main-watchdog token (MWDT0 in TIMG0, MWDT1 in TIMG1). It is apart
// from the group's TIMG token: a timer and the watchdog of one group have separate owners.
type MWDT struct{ n uint8 }

// RMTChannel is an RMT channel token (RMT0..RMT3: channels 0 and 1 transmit, 2 and 3
// receive).
type RMTChannel struct{ n uint8 }

// DMAChannel is a GDMA channel token (DMA_CH0..DMA_CH2): the channel's transmit (OUT) and
// receive (IN) sides together, as esp-hal's channel0..channel2.
type DMAChannel struct{ n uint8 }

// LEDCTimer is an LEDC low-speed timer token (LEDC_TIMER0..LEDC_TIMER3).
type LEDCTimer struct{ n uint8 }

// LEDCChannel is an LEDC low-speed channel token (LEDC0..LEDC5).
type LEDCChannel struct{ n uint8 }

// ADC is a SAR ADC token; hal.Init hands out ADC1 (number 1).
type ADC struct{ n uint8 }

// USBSerialJTAG is the USB-Serial-JTAG controller's token (there is one; its serial port is
// hal/usbserial's).
type USBSerialJTAG struct{}

// TWAI is a TWAI (CAN 2.0) controller token (TWAI0).
type TWAI struct{ n uint8 }

// Constructors for tokens. hal.Init hands out one of each; these exist for drivers' tests
// and for firmware that steals a resource deliberately (as esp-hal's steal()). They do not
// claim anything.
func StealPin(n int) Pin                             { return Pin{uint8(n)} }
func StealUART(n int) UART                           { return UART{uint8(n)} }
func StealI2C(n int) I2C                             { return I2C{uint8(n)} }
func StealSPI(n int) SPI                             { return SPI{uint8(n)} }
func StealTIMG(n int) TIMG                           { return TIMG{uint8(n)} }
func StealSoftwareInterrupt(n int) SoftwareInterrupt { return SoftwareInterrupt{uint8(n)} }
func StealRNG() RNG                                  { return RNG{} }
func StealRWDT() RWDT                                { return RWDT{} }
func StealMWDT(n int) MWDT                           { return MWDT{uint8(n)} }
func StealRMTChannel(n int) RMTChannel               { return RMTChannel{uint8(n)} }
func StealDMAChannel(n int) DMAChannel               { return DMAChannel{uint8(n)} }
func StealLEDCTimer(n int) LEDCTimer                 { return LEDCTimer{uint8(n)} }
func StealLEDCChannel(n int) LEDCChannel             { return LEDCChannel{uint8(n)} }
func StealADC(n int) ADC                             { return ADC{uint8(n)} }
func StealUSBSerialJTAG() USBSerialJTAG              { return USBSerialJTAG{} }
func StealTWAI(n int) TWAI                           { return TWAI{uint8(n)} }

// Number returns the controller number (0 for TWAI0).
func (t TWAI) Number() int { return int(t.n) }

// String names the controller: "TWAI0".
func (t TWAI) String() string { return Name(KindTWAI, int(t.n)) }

// String names it: "USB_SERIAL_JTAG".
func (USBSerialJTAG) String() string { return Name(KindUSBSerialJTAG, 0) }

// Number returns the timer number (0..3).
func (t LEDCTimer) Number() int { return int(t.n) }

// String names the timer: "LEDC_TIMER2".
func (t LEDCTimer) String() string { return Name(KindLEDCTimer, int(t.n)) }

// Number returns the channel number (0..5).
func (c LEDCChannel) Number() int { return int(c.n) }

// String names the channel: "LEDC3".
func (c LEDCChannel) String() string { return Name(KindLEDC, int(c.n)) }

// Number returns the ADC number (1 for ADC1).
func (a ADC) Number() int { return int(a.n) }

// String names the ADC: "ADC1".
func (a ADC) String() string { return Name(KindADC, int(a.n)) }

// Number returns the channel number (0..2).
func (c DMAChannel) Number() int { return int(c.n) }

// String names the channel: "DMA_CH1".
func (c DMAChannel) String() string { return Name(KindDMA, int(c.n)) }

// Number returns the channel number (0..3).
func (c RMTChannel) Number() int { return int(c.n) }

// String names the channel: "RMT2".
func (c RMTChannel) String() string { return Name(KindRMT, int(c.n)) }

// Number returns the timer group the watchdog belongs to (0 for MWDT0).
func (w MWDT) Number() int { return int(w.n) }

// String names the watchdog: "MWDT1".
func (w MWDT) String() string { return Name(KindMWDT, int(w.n)) }

// String names it: "RNG".
func (RNG) String() string { return Name(KindRNG, 0) }

// String names it: "RWDT".
func (RWDT) String() string { return Name(KindRWDT, 0) }

// Number returns the pin number.
func (p Pin) Number() int { return int(p.n) }

// Number returns the controller number.
func (u UART) Number() int { return int(u.n) }

// Number returns the controller number.
func (i I2C) Number() int { return int(i.n) }

// Number returns the controller number.
func (s SPI) Number() int { return int(s.n) }

// Number returns the group number.
func (t TIMG) Number() int { return int(t.n) }

// Number returns n of FROM_CPU_INTRn.
func (s SoftwareInterrupt) Number() int { return int(s.n) }

// String names the pin: "GPIO5".
func (p Pin) String() string { return Name(KindPin, int(p.n)) }

// String names the controller: "UART0".
func (u UART) String() string { return Name(KindUART, int(u.n)) }

// String names the controller: "I2C0".
func (i I2C) String() string { return Name(KindI2C, int(i.n)) }

// String names the controller: "SPI2".
func (s SPI) String() string { return Name(KindSPI, int(s.n)) }

// String names the group: "TIMG0".
func (t TIMG) String() string { return Name(KindTIMG, int(t.n)) }

// String names it: "FROM_CPU_INTR2".
func (s SoftwareInterrupt) String() string { return Name(KindSoftwareInterrupt, int(s.n)) }

// Name returns "<KIND><n>", e.g. "GPIO5"; the chip's single RNG and RWDT are named
// without a number.
func Name(k Kind, n int) string {
	if k >= numKinds {
		return "?"
	}
	if k == KindRNG || k == KindRWDT || k == KindUSBSerialJTAG {
		return kindNames[k]
	}
	return kindNames[k] + itoa.Itoa(n)
}

// InUseError says a resource is already claimed.
type InUseError struct {
	Resource string // "GPIO5"
	Owner    string // "UART0 TX"
	Wanted   string // who asked
}

func (e *InUseError) Error() string {
	return e.Resource + " is already in use by " + e.Owner + " (wanted by " + e.Wanted + ")"
}

// ErrNoSuchResource is returned for a token number the chip does not have.
var ErrNoSuchResource = errors.New("periph: no such resource on the ESP32-C3")

// owners[first[k]+n] says who holds resource n of kind k: 0 when it is free, otherwise
// ownerNames[owners[...]-1], or someOwner when that name did not fit in ownerNames. One byte
// per resource the chip has, plus the names: 60 + 160 bytes, where a string per resource
// took 480 bytes of every program's RAM (a string is 8 bytes on a 32-bit target).
var owners [numResources]uint8

// ownerNames are the owner names claims have used, each kept once: a program's drivers use
// a handful of constant names ("UART0 TX", "an i2c master driver"), so maxOwnerNames is
// plenty. A claim whose name does not fit still succeeds; only its name is not kept.
var ownerNames [maxOwnerNames]string

const maxOwnerNames = 20

// ownerCount is how many of ownerNames are in use.
var ownerCount uint8

// someOwner marks a resource claimed by an owner whose name did not fit in ownerNames.
const someOwner = 0xFF

// unnamedOwner is what Owner and InUseError say for it (short: it is in every program's
// flash, and a program with more than maxOwnerNames owner names is not expected).
const unnamedOwner = "another driver"

// internOwner returns owner's code for owners, adding its name to ownerNames if it is new.
// Call it inside the critical section that guards owners.
func internOwner(owner string) uint8 {
	if owner == "" {
		return someOwner // "" would read as a free slot of ownerNames
	}
	// A loop to a variable bound: over the whole array the compiler unrolls it, and the
	// twenty string comparisons cost 500 bytes of flash.
	for i := 0; i < int(ownerCount); i++ {
		if ownerNames[i] == owner {
			return uint8(i + 1)
		}
	}
	if int(ownerCount) == len(ownerNames) {
		return someOwner
	}
	ownerNames[ownerCount] = owner
	ownerCount++
	return ownerCount
}

// ownerName returns the name behind owner code c (not 0).
//
//go:noinline
func ownerName(c uint8) string {
	if c == someOwner || int(c) > len(ownerNames) {
		return unnamedOwner
	}
	return ownerNames[c-1]
}

// first[k] is the index in owners of kind k's resource 0; first[k+1]-first[k] is how many
// the chip has.
var first = [numKinds + 1]uint8{
	0,
	NumPins,
	NumPins + NumUARTs,
	NumPins + NumUARTs + NumI2Cs,
	NumPins + NumUARTs + NumI2Cs + NumSPIs,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 1,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 2,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3 + NumMWDTs,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3 + NumMWDTs + NumRMTChannels,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3 + NumMWDTs + NumRMTChannels + NumDMAChannels,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3 + NumMWDTs + NumRMTChannels + NumDMAChannels + NumLEDCTimers,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3 + NumMWDTs + NumRMTChannels + NumDMAChannels + NumLEDCTimers + NumLEDCChannels,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3 + NumMWDTs + NumRMTChannels + NumDMAChannels + NumLEDCTimers + NumLEDCChannels + NumADCs,
	NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3 + NumMWDTs + NumRMTChannels + NumDMAChannels + NumLEDCTimers + NumLEDCChannels + NumADCs + 1,
	numResources,
}

// numResources is the number of resources of all kinds (the SYSTIMER, the RNG and the RWDT
// are one each).
const numResources = NumPins + NumUARTs + NumI2Cs + NumSPIs + NumTIMGs + NumSoftwareInterrupts + 3 + NumMWDTs + NumRMTChannels + NumDMAChannels +
	NumLEDCTimers + NumLEDCChannels + NumADCs + 1 + // + the USB-Serial-JTAG
	NumTWAIs

// index returns the index in owners of resource n of kind k, or -1 if the chip has no such
// resource.
func index(k Kind, n int) int {
	if k >= numKinds || n < 0 || n >= int(first[k+1]-first[k]) {
		return -1
	}
	return int(first[k]) + n
}

// Claim marks resource n of kind k as used by owner, or returns an *InUseError naming the
// current owner.
func Claim(k Kind, n int, owner string) error {
	i := index(k, n)
	if i < 0 {
		return ErrNoSuchResource
	}
	cs := rt.EnterCritical()
	if cur := owners[i]; cur != 0 {
		name := ownerName(cur)
		cs.Exit()
		return &InUseError{Resource: Name(k, n), Owner: name, Wanted: owner}
	}
	owners[i] = internOwner(owner)
	cs.Exit()
	return nil
}

// ClaimPins claims several pins for owner roles ("UART0 TX", ...) all or none.
func ClaimPins(pins []Pin, roles []string) error {
	for i, p := range pins {
		if err := Claim(KindPin, int(p.n), roles[i]); err != nil {
			for _, q := range pins[:i] {
				Release(KindPin, int(q.n))
			}
			return err
		}
	}
	return nil
}

// Release frees resource n of kind k.
func Release(k Kind, n int) {
	i := index(k, n)
	if i < 0 {
		return
	}
	cs := rt.EnterCritical()
	owners[i] = 0
	cs.Exit()
}

// Owner returns who holds resource n of kind k ("" when free).
func Owner(k Kind, n int) string {
	i := index(k, n)
	if i < 0 {
		return ""
	}
	cs := rt.EnterCritical()
	o := ""
	if c := owners[i]; c != 0 {
		o = ownerName(c)
	}
	cs.Exit()
	return o
}

// ResetForTest frees every resource. Tests that run several firmware images in one process
// call it between them; firmware never does.
func ResetForTest() {
	cs := rt.EnterCritical()
	owners = [numResources]uint8{}
	ownerNames = [maxOwnerNames]string{}
	ownerCount = 0
	cs.Exit()
}

// Clocks of the ESP32-C3 as gohal runs it (PLL on, as both esp-hal and TinyGo start it).
const (
	XTALHz = 40_000_000 // the crystal; SYSTIMER and TIMG with USE_XTAL derive from it
	APBHz  = 80_000_000 // APB: UART, I2C, SPI source clock
)
