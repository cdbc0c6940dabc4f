package svd

import (
	"reflect"
	"testing"
)

func TestParseNumber(t *testing.T) {
	all := ^uint64(0)
	tests := []struct {
		in       string
		dontCare bool
		v, mask  uint64
		st       numStatus
	}{
		{"0", false, 0, all, numOK},
		{"42", false, 42, all, numOK},
		{"+42", false, 42, all, numOK},
		{" 0x1F ", false, 0x1f, all, numOK},
		{"0X1f", false, 0x1f, all, numOK},
		{"#1010", false, 10, all, numOK},
		{"#1x0x", true, 0b1000, ^uint64(0b0101), numOK},
		{"#XX", true, 0, ^uint64(0b11), numOK},
		{"#1x0x", false, 0, all, numBad}, // don't-cares only where allowed
		{"4k", false, 4096, all, numOK},
		{"2M", false, 2 << 20, all, numOK},
		{"0x10K", false, 0x10 << 10, all, numOK},
		{"1G", false, 1 << 30, all, numOK},
		{"1T", false, 1 << 40, all, numOK},
		{"0b1010", false, 10, all, numNonStandard},
		{"0B1x", true, 2, ^uint64(1), numNonStandard},
		{"0x4000_0000", false, 0x40000000, all, numNonStandard},
		{"18446744073709551615", false, all, all, numOK},
		{"18446744073709551616", false, 0, all, numOverflow},
		{"0x1FFFFFFFFFFFFFFFF", false, 0, all, numOverflow},
		{"0xFFFFFFFFFFFFFFFFk", false, 0, all, numOverflow},
		{"-1", false, 0, all, numNegative},
		{"-0x10", false, 0, all, numNegative},
		{"-", false, 0, all, numBad},
		{"", false, 0, all, numBad},
		{"0x", false, 0, all, numBad},
		{"#", false, 0, all, numBad},
		{"#102", false, 0, all, numBad},
		{"12a", false, 0, all, numBad},
		{"0xEX", false, 0, all, numBad},
		{"k", false, 0, all, numBad},
		{"1.5", false, 0, all, numBad},
		{"_1", false, 0, all, numBad},
	}
	for _, tt := range tests {
		v, m, st := parseNumber(tt.in, tt.dontCare)
		if st != tt.st || (st <= numNonStandard && (v != tt.v || m != tt.mask)) {
			t.Errorf("parseNumber(%q, %v) = %#x, %#x, %d; want %#x, %#x, %d", tt.in, tt.dontCare, v, m, st, tt.v, tt.mask, tt.st)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]struct {
		v  bool
		st numStatus
	}{
		"true": {true, numOK}, "1": {true, numOK}, "false": {false, numOK}, "0": {false, numOK},
		"TRUE": {true, numNonStandard}, "No": {false, numNonStandard}, "maybe": {false, numBad},
	} {
		v, st := parseBool(in)
		if v != want.v || st != want.st {
			t.Errorf("parseBool(%q) = %v, %d", in, v, st)
		}
	}
}

func TestParseDimIndex(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		bad  bool
	}{
		{"0-3", []string{"0", "1", "2", "3"}, false},
		{"8-11", []string{"8", "9", "10", "11"}, false},
		{"A-D", []string{"A", "B", "C", "D"}, false},
		{"x-z", []string{"x", "y", "z"}, false},
		{"a,b,c", []string{"a", "b", "c"}, false},
		{" 3, 2,1 ,0 ", []string{"3", "2", "1", "0"}, false},
		{"B,R,G,TOP", []string{"B", "R", "G", "TOP"}, false},
		{"7", []string{"7"}, false},
		{"3-1", nil, true},
		{"A-3", nil, true},
		{"a-Z", nil, true},
		{"a,,b", nil, true},
		{"AB-CD", nil, true},
		{"0-99999999", nil, true},
		{"", nil, true},
	}
	for _, tt := range tests {
		got, err := parseDimIndex(tt.in)
		if (err != "") != tt.bad || (!tt.bad && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("parseDimIndex(%q) = %v, %q", tt.in, got, err)
		}
	}
}

func TestParseBitRange(t *testing.T) {
	for in, want := range map[string][4]any{
		"[7:4]":        {uint32(4), uint32(4), false, ""},
		"[0:0]":        {uint32(0), uint32(1), false, ""},
		"[ 31 : 0]":    {uint32(0), uint32(32), false, ""},
		"[7]":          {uint32(7), uint32(1), true, ""},
		"[ 0 ]":        {uint32(0), uint32(1), true, ""},
		"[3:4]":        {uint32(0), uint32(0), false, "msb is below lsb"},
		"7:4":          {uint32(0), uint32(0), false, "not of the form [msb:lsb]"},
		"[a:b]":        {uint32(0), uint32(0), false, "bounds are not decimal numbers"},
		"[]":           {uint32(0), uint32(0), false, "not of the form [msb:lsb]"},
		"[a]":          {uint32(0), uint32(0), false, "not of the form [msb:lsb]"},
		"[-1]":         {uint32(0), uint32(0), false, "not of the form [msb:lsb]"},
		"[4294967296]": {uint32(0), uint32(0), false, "not of the form [msb:lsb]"},
		"[7:]":         {uint32(0), uint32(0), false, "bounds are not decimal numbers"},
		"[7:4:0]":      {uint32(0), uint32(0), false, "not of the form [msb:lsb]"},
		"7":            {uint32(0), uint32(0), false, "not of the form [msb:lsb]"},
	} {
		o, w, single, err := parseBitRange(in)
		if o != want[0] || w != want[1] || single != want[2] || err != want[3] {
			t.Errorf("parseBitRange(%q) = %d, %d, %v, %q", in, o, w, single, err)
		}
	}
}
