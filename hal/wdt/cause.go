package wdt

import (
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/pac/esp32c3"
)

// Cause is a reset cause as the chip records it in RTC_CNTL_RESET_STATE
// (RESET_CAUSE_PROCPU), with the names of the TRM's reset-cause table and ESP-IDF's
// RESET_REASON (components/esp_rom/include/esp32c3/rom/rtc.h).
type Cause uint8

// The reset causes the watchdogs produce, and the power-on reset.
const (
	PowerOnReset   Cause = 1  // POWERON_RESET
	TG0WDTSysReset Cause = 7  // TG0WDT_SYS_RESET: MWDT0 reset the digital system
	TG1WDTSysReset Cause = 8  // TG1WDT_SYS_RESET
	RTCWDTSysReset Cause = 9  // RTCWDT_SYS_RESET: the RWDT reset the digital system
	TG0WDTCPUReset Cause = 11 // TG0WDT_CPU_RESET: MWDT0 reset the CPU
	RTCWDTCPUReset Cause = 13 // RTCWDT_CPU_RESET
	RTCWDTRTCReset Cause = 16 // RTCWDT_RTC_RESET: the RWDT reset the system and the RTC domain
	TG1WDTCPUReset Cause = 17 // TG1WDT_CPU_RESET
	SuperWDTReset  Cause = 18 // SUPER_WDT_RESET
)

var causeNames = [...]string{
	1: "POWERON_RESET", 3: "RTC_SW_SYS_RESET", 5: "DEEPSLEEP_RESET", 7: "TG0WDT_SYS_RESET",
	8: "TG1WDT_SYS_RESET", 9: "RTCWDT_SYS_RESET", 10: "INTRUSION_RESET", 11: "TG0WDT_CPU_RESET",
	12: "RTC_SW_CPU_RESET", 13: "RTCWDT_CPU_RESET", 15: "RTCWDT_BROWN_OUT_RESET",
	16: "RTCWDT_RTC_RESET", 17: "TG1WDT_CPU_RESET", 18: "SUPER_WDT_RESET", 19: "GLITCH_RTC_RESET",
	20: "EFUSE_RESET", 21: "USB_UART_CHIP_RESET", 22: "USB_JTAG_CHIP_RESET", 23: "POWER_GLITCH_RESET",
}

// String returns the TRM's name, "TG0WDT_SYS_RESET", or "RESET_CAUSE_<n>" for a code the
// table does not name.
func (c Cause) String() string {
	if int(c) < len(causeNames) && causeNames[c] != "" {
		return causeNames[c]
	}
	return "RESET_CAUSE_" + itoa.Utoa(uint64(c))
}

// Watchdog reports whether a watchdog caused the reset.
func (c Cause) Watchdog() bool {
	switch c {
	case TG0WDTSysReset, TG1WDTSysReset, RTCWDTSysReset, TG0WDTCPUReset, RTCWDTCPUReset,
		RTCWDTRTCReset, TG1WDTCPUReset, SuperWDTReset:
		return true
	}
	return false
}

// ResetCause returns why the CPU last reset (RTC_CNTL_RESET_STATE.RESET_CAUSE_PROCPU): a
// firmware that finds a watchdog cause knows its previous run hung.
func ResetCause() Cause {
	return Cause(esp32c3.RTC_CNTL.RTC_RESET_STATE.Read().RESET_CAUSE_PROCPU())
}
