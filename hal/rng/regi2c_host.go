//go:build !tinygo

package rng

import "github.com/gohal/gohal/pac/esp32c3"

// regi2cWriteMask does nothing on the host: the simulator has no analog side, and it judges
// the entropy source by the digital registers (RTC_CNTL SENSOR_CTRL and APB_SARADC).
func regi2cWriteMask(block, hostID, reg, msb, lsb, data uint32) {}

// relax lets virtual time pass in the rate wait: on the simulator a register access is what
// moves the clock rt.Cycles counts.
func relax() { esp32c3.SYSTEM.PERIP_CLK_EN0.Read() }
