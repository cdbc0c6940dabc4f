package esp32c3

// IO_MUX (base 0x60009000) selects each pad's function and holds its pulls, input enable and
// drive strength (facts sheet section 5). It shares its state with the GPIO model, which
// resolves the pad levels.

const (
	iomuxBase   = 0x6000_9000
	iomuxGPIO0  = 0x04 // IO_MUX_GPIOn at 0x04 + 4n
	iomuxDate   = 0xFC
	iomuxReset  = 0x0000_0B00 // SVD reset of every IO_MUX_GPIOn: FUN_WPU, FUN_IE, FUN_DRV = 2
	ioMuxFunWPD = 1 << 7
	ioMuxFunWPU = 1 << 8
	ioMuxFunIE  = 1 << 9
)

// ioMuxDevice is the bus face of IO_MUX; its registers live in the GPIO model.
type ioMuxDevice struct{ g *GPIO }

func newIOMux(c *Chip, g *GPIO) *block {
	for i := range g.ioMux {
		g.ioMux[i] = iomuxReset
	}
	return newBlock(c, "IO_MUX", iomuxBase, iomuxModelled)
}

func iomuxModelled(off uintptr) bool { return off >= iomuxGPIO0 && off < iomuxGPIO0+4*gpioPads }

func (d ioMuxDevice) lock()            { d.g.c.Lock() }
func (d ioMuxDevice) unlock()          { d.g.c.Unlock() }
func (d ioMuxDevice) regBlock() *block { return d.g.mux }

func (d ioMuxDevice) readReg(off uintptr) uint32 {
	if off >= iomuxGPIO0 && off < iomuxGPIO0+4*gpioPads {
		return d.g.ioMux[(off-iomuxGPIO0)/4]
	}
	d.g.mux.touch(off, false)
	return d.g.mux.load(off)
}

func (d ioMuxDevice) writeReg(off uintptr, v uint32) {
	if off >= iomuxGPIO0 && off < iomuxGPIO0+4*gpioPads {
		d.g.ioMux[(off-iomuxGPIO0)/4] = v & 0xFF9F // fields [15:7] and [4:0]
		d.g.recompute()
		return
	}
	d.g.mux.touch(off, true)
	d.g.mux.store(off, v)
}

// ioMuxIsGPIO reports whether function fn (MCU_SEL) of pad n connects it to the GPIO matrix.
// Function 1 is GPIO on every pad. Function 0 is GPIO too except where it is a dedicated
// signal the simulator knows: the SPI flash pads GPIO12..17 and U0RXD/U0TXD on GPIO20/21.
// The JTAG functions the TRM lists as function 0 of GPIO4..7 are not modelled and those
// pads count as GPIO under function 0.
func ioMuxIsGPIO(n int, fn uint32) bool {
	switch fn {
	case 1:
		return true
	case 0:
		return !(n >= 12 && n <= 17) && n != 20 && n != 21
	}
	return false
}

// ioMuxDirectOutput returns the output signal a direct IO_MUX function drives on pad n.
func ioMuxDirectOutput(n int, fn uint32) (signal uint32, ok bool) {
	switch {
	case fn == 0 && n == 21:
		return 6, true // U0TXD
	case fn == 2 && n == 4:
		return 66, true // FSPIHD
	case fn == 2 && n == 5:
		return 67, true // FSPIWP
	case fn == 2 && n == 6:
		return 63, true // FSPICLK
	case fn == 2 && n == 7:
		return 65, true // FSPID
	case fn == 2 && n == 10:
		return 68, true // FSPICS0
	}
	return 0, false
}
