package mmio

// FormatEnum formats a value that has no name in its enumeration as "Type(0x1f)". Generated
// String methods call it so that register packages need neither fmt nor strconv.
func FormatEnum(typ string, v uint64) string {
	const digits = "0123456789abcdef"
	var buf [16]byte
	i := len(buf)
	for {
		i--
		buf[i] = digits[v&0xf]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return typ + "(0x" + string(buf[i:]) + ")"
}
