// Package periph is a stub of gohal's hal/periph.
package periph

type Pin struct{ n uint8 }
type UART struct{ n uint8 }
