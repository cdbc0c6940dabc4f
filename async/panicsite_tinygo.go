//go:build tinygo

package async

// panicSite returns "": TinyGo keeps no call-site information at run time.
func panicSite() string { return "" }
