//go:build !tinygo

package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/sim/simrun"
)

func TestEchoesLinesUntilEOT(t *testing.T) {
	var out bytes.Buffer
	r, err := simrun.Run(firmware, simrun.Options{
		UART0: simrun.Port{TX: &out, RX: strings.NewReader("hello\nblocking world\n"), RXEnd: []byte{eot}, RXAfterTX: true},
	})
	require.NoError(t, err)
	assert.Equal(t, "uartecho: UART0 at 115200 baud; send lines, Ctrl-D to stop\r\n"+
		"hello\nblocking world\nuartecho: 2 lines, 21 bytes; bye\r\n", out.String())
	assert.Equal(t, simrun.Returned, r.End)
}
