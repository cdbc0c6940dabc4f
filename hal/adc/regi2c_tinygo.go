//go:build tinygo

package adc

// setInitCode does nothing on the chip yet. esp-hal writes the init code to the SAR's
// ADC_SAR1_INITIAL_CODE_HIGH/LOW (regi2c block 0x69, host 0, registers 1 and 0) through the
// mask ROM's rom_i2c_writeReg_Mask, which faults under TinyGo 0.33's startup (see hal/rng's
// regi2c_tinygo.go); until the bus is driven another way, the SAR keeps the trim it has.
func setInitCode(code uint16) {}
