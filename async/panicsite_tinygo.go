//go:build tinygo

package async

// panicSites is false: TinyGo keeps no call-site information at run time.
const panicSites = false

// panicSite returns "".
func panicSite() string { return "" }
