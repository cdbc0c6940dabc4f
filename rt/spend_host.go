//go:build !tinygo

package rt

import "github.com/gohal/gohal/rt/host"

func spend(cycles uint32) { host.Spend(uint64(cycles)) }
