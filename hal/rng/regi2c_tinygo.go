//go:build tinygo

package rng

// regi2cWriteMask does nothing on the chip yet. The analog I2C bus ("regi2c") is driven by
// the mask ROM's rom_i2c_readReg / rom_i2c_writeReg(_Mask), which esp-hal calls; under
// TinyGo 0.33's startup they fault (a load from a null ROM data pointer, seen on
// Espressif's QEMU: mcause 5 at 0x4003916A reading 0x190), so EnableEntropySource skips
// the bridging of ADC2's internal reference and runs the digital half of the sequence only.
// See the package documentation.
func regi2cWriteMask(block, hostID, reg, msb, lsb, data uint32) {}

// relax does nothing on the chip: the cycle counter runs by itself.
func relax() {}
