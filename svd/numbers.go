package svd

import (
	"math/bits"
	"strings"
)

// numStatus says how a number was read.
type numStatus uint8

const (
	numOK          numStatus = iota
	numNonStandard           // read, but spelt in a way the schema does not allow ("0b1010")
	numBad                   // not a number
	numNegative              // a '-' sign where only non-negative numbers are allowed
	numOverflow              // more than 64 bits
)

// parseNumber reads an SVD scaledNonNegativeInteger: decimal, 0x/0X hexadecimal or #binary,
// an optional '+' sign and an optional k/M/G/T scale suffix (powers of 1024, as SVDConv
// reads them). "0b" binary is accepted as a non-standard spelling (Infineon, Allwinner).
// When dontCare is true, '#' binary may contain x/X digits: they are returned as zero bits
// of mask (every other bit of mask is set); otherwise mask is all ones.
func parseNumber(s string, dontCare bool) (v, mask uint64, st numStatus) {
	mask = ^uint64(0)
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, mask, numBad
	}
	if s[0] == '-' {
		rest := strings.TrimLeft(s[1:], " ")
		if _, _, st2 := parseNumber(rest, false); st2 == numOK || st2 == numNonStandard || st2 == numOverflow {
			return 0, mask, numNegative
		}
		return 0, mask, numBad
	}
	if s[0] == '+' {
		s = s[1:]
	}
	st = numOK
	base := 10
	switch {
	case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '#':
		base, s = 2, s[1:]
	case len(s) > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'):
		base, s, st = 2, s[2:], numNonStandard
	}
	// Scale suffix, only for decimal and hex numbers (a hex digit is never a scale letter
	// except for none of k, m, g, t).
	var shift uint
	if base != 2 && len(s) > 1 {
		switch s[len(s)-1] {
		case 'k', 'K':
			shift = 10
		case 'm', 'M':
			shift = 20
		case 'g', 'G':
			shift = 30
		case 't', 'T':
			shift = 40
		}
		if shift > 0 {
			s = s[:len(s)-1]
		}
	}
	if s == "" {
		return 0, mask, numBad
	}
	var hasX bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		var d uint64
		switch {
		case c >= '0' && c <= '9':
			d = uint64(c - '0')
		case c >= 'a' && c <= 'f':
			d = uint64(c-'a') + 10
		case c >= 'A' && c <= 'F':
			d = uint64(c-'A') + 10
		case (c == 'x' || c == 'X') && base == 2 && dontCare:
			hasX = true
			d = 0
		case c == '_' && i > 0 && i < len(s)-1:
			// Digit separators are not SVD, but harmless: "0x4000_0000".
			st = numNonStandard
			continue
		default:
			return 0, mask, numBad
		}
		if d >= uint64(base) {
			return 0, mask, numBad
		}
		hi, lo := bits.Mul64(v, uint64(base))
		if hi != 0 {
			return 0, mask, numOverflow
		}
		var carry uint64
		v, carry = bits.Add64(lo, d, 0)
		if carry != 0 {
			return 0, mask, numOverflow
		}
	}
	if hasX {
		// Build the mask: bit i (from the right) is 0 where digit i is x.
		n := 0
		for i := len(s) - 1; i >= 0; i-- {
			c := s[i]
			if c == '_' {
				continue
			}
			if c == 'x' || c == 'X' {
				if n < 64 {
					mask &^= 1 << uint(n)
				}
			}
			n++
		}
	}
	if shift > 0 {
		if bits.LeadingZeros64(v) < int(shift) {
			return 0, mask, numOverflow
		}
		v <<= shift
	}
	return v, mask, st
}

// parseBool reads an SVD boolean: true/false/1/0. Other capitalisations are non-standard.
func parseBool(s string) (v bool, st numStatus) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, numOK
	case "false", "0":
		return false, numOK
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes":
		return true, numNonStandard
	case "false", "no":
		return false, numNonStandard
	}
	return false, numBad
}
