package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/dma"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
)

const size = 4096

// The buffers and descriptors are globals: in internal SRAM on the chip, and alive for as
// long as the GDMA may use them. Words keep them word-aligned, as memory-to-memory copies
// need.
var (
	srcWords, dstWords [size / 4]uint32
	descs              [2 * 2]dma.Descriptor // DescriptorsFor(4096) = 2 per direction
)

func bytesOf(w *[size / 4]uint32) []byte { return asBytes(w[:]) }

// checksum is Fletcher-32 over the bytes.
func checksum(b []byte) uint32 {
	var s1, s2 uint32 = 0xFFFF, 0xFFFF
	for _, v := range b {
		s1 = (s1 + uint32(v)) % 65535
		s2 = (s2 + s1) % 65535
	}
	return s2<<16 | s1
}

func firmware() {
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{}, p.GPIO21, p.GPIO20)
	check(err)
	con := console.New(u)

	src, dst := bytesOf(&srcWords), bytesOf(&dstWords)
	for i := range src {
		src[i] = byte(i*13 + i>>8)
	}
	want := checksum(src)
	con.S("dma: copying ").D(size).S(" bytes with DMA_CH0, source checksum ").X(want).NL()

	m, err := dma.New(p.DMA0, dma.Config{})
	check(err)
	t0 := systimer.Ticks()
	err = m.Copy(dst, src, descs[:])
	t1 := systimer.Ticks()
	check(err)
	report(con, "blocking", dst, want, t1-t0)

	clear(dst)
	am := m.IntoAsync()
	ex, err := executor.Thread(executor.Options{Name: "main"})
	check(err)
	var t2, t3 uint64
	_, err = ex.Spawner().SpawnNamed("copy", async.Go(func(t *async.T) {
		t2 = systimer.Ticks()
		err := am.AwaitCopy(t, dst, src, descs[:])
		t3 = systimer.Ticks()
		check(err)
	}), 0)
	check(err)
	ex.Run()
	report(con, "async", dst, want, t3-t2)

	con.S("dma: done").NL()
	u.Flush()
	ex.Close()
	am.Close()
	u.Close()
}

func report(con *console.Console, how string, dst []byte, want uint32, ticks uint64) {
	got := checksum(dst)
	con.S("dma: ").S(how).S(" copy: ").D(size).S(" bytes in ").D(int64(ticks / systimer.TicksPerMicrosecond)).S(" us, checksum ").X(got)
	if got == want {
		con.S(" ok").NL()
	} else {
		con.S(" MISMATCH").NL()
	}
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}
