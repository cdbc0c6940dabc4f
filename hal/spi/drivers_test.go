package spi_test

import (
	"tinygo.org/x/drivers"

	"github.com/gohal/gohal/hal/spi"
)

// Both drivers are tinygo.org/x/drivers SPI buses (Tx and the one-byte Transfer). The
// assertion lives in a test file so that hal itself imports nothing outside the standard
// library.
var (
	_ drivers.SPI = (*spi.Blocking)(nil)
	_ drivers.SPI = (*spi.Async)(nil)
)
