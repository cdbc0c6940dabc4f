// Package periph holds the ESP32-C3's peripheral and pin tokens that hal.Init hands out, and
// the ownership registry that makes each one usable by one driver at a time: a driver
// constructor claims the tokens it is given and fails, naming the resource and its owner,
// when one is already in use; Close (or Release) gives them back.
//
// Tokens are small values; copying one does not copy ownership, the registry is the truth.
package periph

import (
	"errors"

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
	numKinds
)

var kindNames = [numKinds]string{"GPIO", "UART", "I2C", "SPI", "TIMG", "FROM_CPU_INTR", "SYSTIMER"}

// Counts of each kind on the ESP32-C3.
const (
	NumPins               = 22
	NumUARTs              = 2
	NumI2Cs               = 1
	NumSPIs               = 3 // SPI0/1 are the flash's; SPI2 is the general-purpose one
	NumTIMGs              = 2
	NumSoftwareInterrupts = 4
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

// Constructors for tokens. hal.Init hands out one of each; these exist for drivers' tests
// and for firmware that steals a resource deliberately (as esp-hal's steal()). They do not
// claim anything.
func StealPin(n int) Pin                             { return Pin{uint8(n)} }
func StealUART(n int) UART                           { return UART{uint8(n)} }
func StealI2C(n int) I2C                             { return I2C{uint8(n)} }
func StealSPI(n int) SPI                             { return SPI{uint8(n)} }
func StealTIMG(n int) TIMG                           { return TIMG{uint8(n)} }
func StealSoftwareInterrupt(n int) SoftwareInterrupt { return SoftwareInterrupt{uint8(n)} }

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

// Name returns "<KIND><n>", e.g. "GPIO5".
func Name(k Kind, n int) string {
	if k >= numKinds {
		return "?"
	}
	return kindNames[k] + itoa(n)
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
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

// owners[k][n] names who holds resource n of kind k ("" = free).
var owners [numKinds][NumPins]string

func limit(k Kind) int {
	switch k {
	case KindPin:
		return NumPins
	case KindUART:
		return NumUARTs
	case KindI2C:
		return NumI2Cs
	case KindSPI:
		return NumSPIs
	case KindTIMG:
		return NumTIMGs
	case KindSoftwareInterrupt:
		return NumSoftwareInterrupts
	case KindSYSTIMER:
		return 1
	}
	return 0
}

// Claim marks resource n of kind k as used by owner, or returns an *InUseError naming the
// current owner.
func Claim(k Kind, n int, owner string) error {
	if k >= numKinds || n < 0 || n >= limit(k) {
		return ErrNoSuchResource
	}
	cs := rt.EnterCritical()
	defer cs.Exit()
	if cur := owners[k][n]; cur != "" {
		return &InUseError{Resource: Name(k, n), Owner: cur, Wanted: owner}
	}
	owners[k][n] = owner
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
	if k >= numKinds || n < 0 || n >= limit(k) {
		return
	}
	cs := rt.EnterCritical()
	owners[k][n] = ""
	cs.Exit()
}

// Owner returns who holds resource n of kind k ("" when free).
func Owner(k Kind, n int) string {
	if k >= numKinds || n < 0 || n >= limit(k) {
		return ""
	}
	cs := rt.EnterCritical()
	defer cs.Exit()
	return owners[k][n]
}

// ResetForTest frees every resource. Tests that run several firmware images in one process
// call it between them; firmware never does.
func ResetForTest() {
	cs := rt.EnterCritical()
	owners = [numKinds][NumPins]string{}
	cs.Exit()
}

// Clocks of the ESP32-C3 as gohal runs it (PLL on, as both esp-hal and TinyGo start it).
const (
	XTALHz = 40_000_000 // the crystal; SYSTIMER and TIMG with USE_XTAL derive from it
	APBHz  = 80_000_000 // APB: UART, I2C, SPI source clock
)
