//go:build !tinygo

package adc

// setInitCode does nothing on the host: the simulator has no analog side and takes the
// SAR's offset trim as programmed with the eFuse init code (see the package documentation).
func setInitCode(code uint16) {}
