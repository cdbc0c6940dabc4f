package codegen

import "testing"

func TestExported(t *testing.T) {
	for in, want := range map[string]string{
		"CONF0":        "CONF0",
		"FIFO[%s]":     "FIFO",
		"CH%s_CONF":    "CH_CONF",
		"conf":         "Conf",
		"ctrl-reg":     "Ctrl_reg",
		"a.b":          "A_b",
		"_hidden":      "Hidden",
		"2ND":          "X2ND",
		"":             "X",
		"%s":           "X",
		"Ünïcode":      "N_code",
		"DMA_CH%s_REG": "DMA_CH_REG",
	} {
		if got := exported(in); got != want {
			t.Errorf("exported(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTail(t *testing.T) {
	for in, want := range map[string]string{"2ND": "2ND", "XTAL": "XTAL", "X2": "X2", "uart": "Uart", "0x": "0x"} {
		if got := tail(in); got != want {
			t.Errorf("tail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPackageNameAndStem(t *testing.T) {
	for in, want := range map[string]string{"UART0": "uart0", "ESP32-C3": "esp32_c3", "type": "type_", "mmio": "mmio_", "2D": "p2d", "GPIO[%s]": "gpio"} {
		if got := packageName(in); got != want {
			t.Errorf("packageName(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"UART0": "UART", "I2C0": "I2C", "I2C": "I2C", "TIMG_1": "TIMG", "0": "0", "SPI12": "SPI"} {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScopeCollisions(t *testing.T) {
	s := newScope("String")
	if got := s.claim("String"); got != "String_1" {
		t.Errorf("reserved name: got %q", got)
	}
	if got := s.claim("A"); got != "A" {
		t.Errorf("first claim: %q", got)
	}
	if got := s.claim("A"); got != "A_1" {
		t.Errorf("second claim: %q", got)
	}
	// A register TYPE after a register named TYPEValue: the set moves as a whole.
	s.claim("TYPEValue")
	got := s.claimSet("TYPE", "%s", "%sValue", "%sReset")
	if got[0] != "TYPE_1" || got[1] != "TYPE_1Value" || got[2] != "TYPE_1Reset" {
		t.Errorf("claimSet = %v", got)
	}
	// Getter and setter of field A when a field WithA was claimed first.
	m := newScope()
	m.claimSet("WithA", "%s", "With%s")
	if got := m.claimSet("A", "%s", "With%s"); got[0] != "A_1" || got[1] != "WithA_1" {
		t.Errorf("field set = %v", got)
	}
}
