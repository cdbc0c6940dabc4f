// Package itoa formats integers in decimal for the error and panic messages of async and the
// drivers, with neither strconv nor fmt. One copy serves every package of a program: async
// using strconv.Itoa beside the drivers' copy cost an async program on the ESP32-C3 about
// 700 bytes of flash.
package itoa

// Itoa returns n in decimal.
func Itoa(n int) string {
	if n < 0 {
		return "-" + Utoa(uint64(-int64(n)))
	}
	return Utoa(uint64(n))
}

// Utoa returns v in decimal.
func Utoa(v uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(buf[i:])
}
