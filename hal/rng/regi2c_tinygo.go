//go:build tinygo

package rng

// romI2CWriteRegMask is the mask ROM's rom_i2c_writeReg_Mask (0x4000_1960, from TinyGo's
// esp32c3.ld, which copies ESP-IDF's esp32c3.rom.ld): it writes data into bits msb..lsb of
// register reg of the internal analog I2C block block. The arguments are uint8 in C; they
// are passed as uint32, zero-extended as the RISC-V C ABI extends them.
//
//export rom_i2c_writeReg_Mask
func romI2CWriteRegMask(block, hostID, reg, msb, lsb, data uint32)

func regi2cWriteMask(block, hostID, reg, msb, lsb, data uint32) {
	romI2CWriteRegMask(block, hostID, reg, msb, lsb, data)
}

// relax does nothing on the chip: the cycle counter runs by itself.
func relax() {}
