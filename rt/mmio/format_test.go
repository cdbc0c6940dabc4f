package mmio

import "testing"

func TestFormatEnum(t *testing.T) {
	for _, c := range []struct {
		v    uint64
		want string
	}{{0, "E(0x0)"}, {0x1f, "E(0x1f)"}, {1<<64 - 1, "E(0xffffffffffffffff)"}} {
		if got := FormatEnum("E", c.v); got != c.want {
			t.Errorf("FormatEnum(%#x) = %q, want %q", c.v, got, c.want)
		}
	}
}
