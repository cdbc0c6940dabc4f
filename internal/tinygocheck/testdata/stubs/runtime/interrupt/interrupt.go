// Package interrupt declares TinyGo's runtime/interrupt API for RISC-V (ESP32-C3) with
// TinyGo's signatures, for type-checking gohal's tinygo-tagged files without TinyGo.
package interrupt

// Interrupt is a handle created by New (a compiler intrinsic: constant id, plain function).
type Interrupt struct{ num int }

func New(id int, handler func(Interrupt)) Interrupt

// Enable enables the CPU interrupt (ESP32-C3: also edge type, default priority).
func (i Interrupt) Enable() error

// State is the previous global interrupt state.
type State uintptr

func Disable() (state State)
func Restore(state State)
func In() bool
