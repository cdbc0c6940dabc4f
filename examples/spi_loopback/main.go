// Command spi_loopback sends bytes through SPI2 to a device that returns every byte in the
// same clocks (MISO wired to MOSI): a few bytes with the blocking driver, then 256 bytes with
// the async driver, whose four 64-byte chunks each end in a TRANS_DONE interrupt that wakes
// the transfer task while the CPU sleeps in WFI. The report goes out on UART0.
//
//	go run ./examples/spi_loopback                        # on the simulator's echo device
//	tinygo build -target=esp32c3 ./examples/spi_loopback  # the same source for the chip
//
// Wiring on the chip: SCK GPIO6, MOSI GPIO7, MISO GPIO2, CS GPIO10; for a plain loopback,
// a wire from GPIO7 to GPIO2.
package main

import (
	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/executor"
	"github.com/gohal/gohal/hal/spi"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
)

const (
	frequency = 1_000_000
	blockSize = 256
	greeting  = "gohal"
)

// Result is what the last run did, for the tests.
type Result struct {
	Echo                    [len(greeting)]byte
	Block                   [blockSize]byte
	Matched, Polls          int
	IdleCycles, TotalCycles uint64
	Err                     error
}

var result Result

// transfer is the task that moves the block: a stackless task around one future, counting
// how often the executor polls it.
type transfer struct {
	f     spi.Future
	polls int
	err   error
}

func (t *transfer) Poll(cx *async.Context) bool {
	t.polls++
	err, done := t.f.Poll(cx)
	t.err = err
	return done
}

func firmware() {
	result = Result{}
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	out := console.New(u)
	bus, err := spi.New(p.SPI2, spi.Config{Frequency: frequency, Mode: spi.Mode0},
		spi.Pins{SCK: p.GPIO6, MOSI: &p.GPIO7, MISO: &p.GPIO2, CS: &p.GPIO10})
	check(err)
	out.S("spi_loopback: SPI2 at ").D(int64(bus.Frequency() / 1000)).S(" kHz, mode 0 (SCK GPIO6, MOSI GPIO7, MISO GPIO2, CS GPIO10)").NL()

	// Blocking: full duplex, the bytes come back in the same clocks.
	if result.Err = bus.Tx([]byte(greeting), result.Echo[:]); result.Err != nil {
		out.S("spi_loopback: transfer failed: ").S(result.Err.Error()).NL()
		return
	}
	out.S("spi_loopback: sent \"").S(greeting).S("\", got back \"").S(string(result.Echo[:])).S("\"").NL()

	// Async: 256 bytes, four chunks, one TRANS_DONE interrupt each.
	var block [blockSize]byte
	for i := range block {
		block[i] = byte(i * 7)
	}
	abus := bus.IntoAsync()
	ex, err := executor.Thread(executor.Options{Name: "main", Tasks: 1})
	check(err)
	task := &transfer{f: abus.TransferAsync(block[:], result.Block[:])}
	_, err = async.Spawn(ex.Spawner(), task)
	check(err)
	ex.Run()
	result.IdleCycles, result.TotalCycles = ex.IdleCycles()
	result.Polls, result.Err = task.polls, task.err
	for i := range block {
		if block[i] == result.Block[i] {
			result.Matched++
		}
	}
	if result.Err != nil {
		out.S("spi_loopback: async transfer failed: ").S(result.Err.Error()).NL()
		return
	}
	out.S("spi_loopback: ").D(blockSize).S(" bytes in ").D(blockSize/spi.ChunkSize).S(" chunks by interrupt: ").
		D(int64(result.Matched)).S(" came back, ").D(int64(result.Polls)).S(" polls, CPU idle ").
		Frac(int64(result.IdleCycles)*100, int64(result.TotalCycles)).S("%").NL()
	u.Flush()
	ex.Close()
	abus.Close()
	u.Close()
	systimer.Stop()
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
