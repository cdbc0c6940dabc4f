package rng

import (
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/apb_saradc"
	"github.com/gohal/gohal/pac/esp32c3/rtc_cntl"
	"github.com/gohal/gohal/pac/esp32c3/system"
	"github.com/gohal/gohal/rt"
)

// The SAR ADC's analog side sits on the chip's internal analog I2C bus ("regi2c"), which
// the ROM's rom_i2c_writeReg_Mask drives (regi2c_tinygo.go; the simulator has no analog
// side, regi2c_host.go). Register 7 of the SAR ADC block (0x69, host 0) holds the fields
// esp-hal's soc/esp32c3/regi2c.rs names.
const (
	regi2cSAR     = 0x69
	regi2cSARHost = 0
	regi2cSARReg7 = 7
)

// sarField is one field of SAR ADC register 7: bits msb..lsb.
type sarField struct{ msb, lsb uint32 }

var (
	adcSAR2EncalRef = sarField{6, 6} // ADC_SAR2_ENCAL_REF
	adcSAREntRTC    = sarField{3, 3} // ADC_SAR_ENT_RTC
	adcSAREntTsens  = sarField{2, 2} // ADC_SAR_ENT_TSENS
	adcSARDtestRTC  = sarField{1, 0} // ADC_SAR_DTEST_RTC
)

func writeSAR(f sarField, v uint32) {
	regi2cWriteMask(regi2cSAR, regi2cSARHost, regi2cSARReg7, f.msb, f.lsb, v)
}

// enableEntropy is esp-hal's ensure_randomness for the ESP32-C3 (soc/esp32c3/trng.rs), the
// same sequence as ESP-IDF's bootloader_random_enable: power the SAR ADC up, bridge ADC2's
// internal reference, and let the digital controller's timer sample it continuously.
func enableEntropy() {
	rc := esp32c3.RTC_CNTL
	rc.RTC_CNTL_SENSOR_CTRL.Modify(func(v rtc_cntl.RTC_CNTL_SENSOR_CTRLValue) rtc_cntl.RTC_CNTL_SENSOR_CTRLValue {
		return v.WithFORCE_XPD_SAR(3)
	})
	rc.RTC_ANA_CONF.Modify(func(v rtc_cntl.RTC_ANA_CONFValue) rtc_cntl.RTC_ANA_CONFValue { return v.WithSAR_I2C_PU(true) })

	writeSAR(adcSAR2EncalRef, 1)
	writeSAR(adcSARDtestRTC, 0)
	writeSAR(adcSAREntRTC, 0)
	writeSAR(adcSAREntTsens, 0)

	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithAPB_SARADC_CLK_EN(true) })
	s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v.WithAPB_SARADC_RST(false) })
	cs.Exit()

	a := esp32c3.APB_SARADC
	a.CLKM_CONF.Modify(func(v apb_saradc.CLKM_CONFValue) apb_saradc.CLKM_CONFValue { return v.WithCLK_SEL(2) })
	a.CLKM_CONF.Modify(func(v apb_saradc.CLKM_CONFValue) apb_saradc.CLKM_CONFValue { return v.WithCLK_EN(true) })
	a.CTRL.Modify(func(v apb_saradc.CTRLValue) apb_saradc.CTRLValue { return v.WithSARADC_SAR_CLK_GATED(true) })
	a.CTRL.Modify(func(v apb_saradc.CTRLValue) apb_saradc.CTRLValue { return v.WithSARADC_XPD_SAR_FORCE(3) })
	a.CTRL.Modify(func(v apb_saradc.CTRLValue) apb_saradc.CTRLValue { return v.WithSARADC_SAR_CLK_DIV(1) })
	a.FSM_WAIT.Modify(func(v apb_saradc.FSM_WAITValue) apb_saradc.FSM_WAITValue { return v.WithSARADC_RSTB_WAIT(8) })
	a.FSM_WAIT.Modify(func(v apb_saradc.FSM_WAITValue) apb_saradc.FSM_WAITValue { return v.WithSARADC_XPD_WAIT(5) })
	a.FSM_WAIT.Modify(func(v apb_saradc.FSM_WAITValue) apb_saradc.FSM_WAITValue { return v.WithSARADC_STANDBY_WAIT(100) })
	a.CTRL.Modify(func(v apb_saradc.CTRLValue) apb_saradc.CTRLValue { return v.WithSARADC_SAR_PATT_P_CLEAR(true) })
	a.CTRL.Modify(func(v apb_saradc.CTRLValue) apb_saradc.CTRLValue { return v.WithSARADC_SAR_PATT_P_CLEAR(false) })
	a.CTRL.Modify(func(v apb_saradc.CTRLValue) apb_saradc.CTRLValue { return v.WithSARADC_SAR_PATT_LEN(0) })
	// Pattern 0: ADC2's internal channel and attenuation.
	a.SAR_PATT_TAB1.Modify(func(v apb_saradc.SAR_PATT_TAB1Value) apb_saradc.SAR_PATT_TAB1Value {
		return v.WithSARADC_SAR_PATT_TAB1(0x9cffff)
	})
	a.SAR_PATT_TAB2.Modify(func(v apb_saradc.SAR_PATT_TAB2Value) apb_saradc.SAR_PATT_TAB2Value {
		return v.WithSARADC_SAR_PATT_TAB2(0x9cffff)
	})
	a.CTRL2.Modify(func(v apb_saradc.CTRL2Value) apb_saradc.CTRL2Value { return v.WithSARADC_TIMER_TARGET(100) })
	a.CLKM_CONF.Modify(func(v apb_saradc.CLKM_CONFValue) apb_saradc.CLKM_CONFValue { return v.WithCLKM_DIV_NUM(15) })
	a.CTRL2.Modify(func(v apb_saradc.CTRL2Value) apb_saradc.CTRL2Value { return v.WithSARADC_MEAS_NUM_LIMIT(false) })
	a.DMA_CONF.Modify(func(v apb_saradc.DMA_CONFValue) apb_saradc.DMA_CONFValue { return v.WithAPB_ADC_TRANS(true) })
	a.CTRL2.Modify(func(v apb_saradc.CTRL2Value) apb_saradc.CTRL2Value { return v.WithSARADC_TIMER_EN(true) })
}

// disableEntropy is esp-hal's revert_trng: the reference unbridged, the timer stopped, the
// pattern table and the ADC's power back to their defaults.
func disableEntropy() {
	writeSAR(adcSAR2EncalRef, 0)
	a := esp32c3.APB_SARADC
	a.CTRL2.Modify(func(v apb_saradc.CTRL2Value) apb_saradc.CTRL2Value { return v.WithSARADC_TIMER_EN(false) })
	a.DMA_CONF.Modify(func(v apb_saradc.DMA_CONFValue) apb_saradc.DMA_CONFValue { return v.WithAPB_ADC_TRANS(false) })
	a.SAR_PATT_TAB1.Modify(func(v apb_saradc.SAR_PATT_TAB1Value) apb_saradc.SAR_PATT_TAB1Value {
		return v.WithSARADC_SAR_PATT_TAB1(0xffffff)
	})
	a.SAR_PATT_TAB2.Modify(func(v apb_saradc.SAR_PATT_TAB2Value) apb_saradc.SAR_PATT_TAB2Value {
		return v.WithSARADC_SAR_PATT_TAB2(0xffffff)
	})
	a.CLKM_CONF.Modify(func(v apb_saradc.CLKM_CONFValue) apb_saradc.CLKM_CONFValue { return v.WithCLK_EN(false) })
	a.CTRL.Modify(func(v apb_saradc.CTRLValue) apb_saradc.CTRLValue { return v.WithSARADC_XPD_SAR_FORCE(0) })
	esp32c3.RTC_CNTL.RTC_CNTL_SENSOR_CTRL.Modify(func(v rtc_cntl.RTC_CNTL_SENSOR_CTRLValue) rtc_cntl.RTC_CNTL_SENSOR_CTRLValue {
		return v.WithFORCE_XPD_SAR(0)
	})
}
