//go:build tinygo

package hal

import "github.com/gohal/gohal/hal/periph"

// reserveRuntimeTimer marks TIMG0's timer as TinyGo's: its esp32c3 runtime keeps time.Now
// and time.Sleep on TIMG0 timer 0, so no driver may reconfigure it.
func reserveRuntimeTimer() error {
	return periph.Claim(periph.KindTIMG, 0, "TinyGo's runtime clock (time.Now, time.Sleep)")
}
