package esp32c3

import (
	"encoding/binary"

	"github.com/gohal/gohal/rt/mmio"
)

// GDMA models the general-purpose DMA controller (base 0x6003F000, TRM chapter GDMA): three
// channels, each with an IN (engine to memory) and an OUT (memory to engine) side that walk
// linked lists of three-word descriptors (word 0: size [11:0], length [23:12], suc_eof b30,
// owner b31; word 1: buffer address; word 2: next descriptor, 0 at the end). A LINK
// register's ADDR field holds the low 20 bits of the first descriptor's address; the engine
// supplies internal SRAM's high bits (0x3FC00000), and the model refuses descriptors and
// buffers outside internal SRAM (0x3FC80000..0x3FCE0000) with a descriptor error, as the
// GDMA reaches nothing else.
//
// Memory is reached through rt/mmio's DMA window: on the host, firmware buffers and
// descriptors are Go memory that hal/dma gives bus addresses in simulated SRAM
// (mmio.BusAddr), and the model turns those back into the memory (mmio.DMABytes).
//
// Memory-to-memory (IN_CONF0.MEM_TRANS_EN): once both INLINK_START and OUTLINK_START have
// been written, the model checks both chains at once (a bad descriptor is IN_DSCR_ERR or
// OUT_DSCR_ERR at once; a receive chain too short for the transmit chain's data is
// IN_DSCR_EMPTY) and finishes the copy after the time it takes at the documented rate:
//
//	3 AHB cycles per descriptor fetched, 2 AHB cycles per 32-bit word moved (one read, one
//	write), AHB at 80 MHz: 160 MB/s, a 4 KiB copy in 25.75 µs.
//
// That rate is the model's assumption, not a measurement of the chip. The data is copied
// when the transfer completes; then the receive descriptors are written back (length =
// bytes received, owner cleared, suc_eof on the last one used), transmit descriptors lose
// their owner bit if OUT_AUTO_WRBACK is set, IN_SUC_EOF_DES_ADDR and OUT_EOF_DES_ADDR point
// at the last nodes, and IN_DONE, IN_SUC_EOF, OUT_DONE, OUT_EOF and OUT_TOTAL_EOF are
// raised. With bursts on (INDSCR_BURST_EN/IN_DATA_BURST_EN), receive buffers must be
// word-aligned in address and size (TRM); the model logs a violation once and copies anyway.
//
// Peripheral transfers: a channel whose PERI_SEL names a peripheral serves that
// peripheral's model (SPI2, spi_dma.go), which pulls the OUT chain's bytes and pushes
// received bytes into the IN chain.
//
// Each channel's interrupt (INT_RAW/ST/ENA/CLR; INT_CLR and a 1 written to INT_RAW clear)
// drives its own level source, DMA_CH0..2 (44..46). FIFO status, POP/PUSH, priorities,
// descriptor-state and owner checks (CONF1.CHECK_OWNER) are not modelled (plain memory).
type GDMA struct {
	c   *Chip
	blk *block
	ch  [3]gdmaChan
}

type gdmaChan struct {
	raw, ena          uint32
	line              irq
	inStart, outStart bool   // LINK START written, the side not yet done
	inAddr, outAddr   uint32 // first descriptors
	ev                *Event // a memory-to-memory copy in progress
	// The copy in progress: its chains (reused from copy to copy, so that the model
	// allocates nothing per transfer but the event) and the bytes to move.
	out, in []node
	total   int
	finish  func()
}

// SourceDMACh0 is DMA_CH0's interrupt-matrix source; channels 1 and 2 follow.
const SourceDMACh0 Source = 44

// Register layout (SVD).
const (
	gdmaBase       = 0x6003_F000
	gdmaIntStride  = 0x10
	gdmaMiscConf   = 0x44
	gdmaChBase     = 0x70
	gdmaChStride   = 0xC0
	gdmaInConf0    = 0x00
	gdmaInLink     = 0x10
	gdmaInSucEOF   = 0x18
	gdmaInPeriSel  = 0x30
	gdmaOutConf0   = 0x60
	gdmaOutLink    = 0x70
	gdmaOutEOF     = 0x78
	gdmaOutPeriSel = 0x90
	gdmaSysBit     = 6 // PERIP_CLK_EN1 / PERIP_RST_EN1
	gdmaIntMask    = 1<<13 - 1

	gdmaInDone      = 1 << 0
	gdmaInSucEOFInt = 1 << 1
	gdmaOutDone     = 1 << 3
	gdmaOutEOFInt   = 1 << 4
	gdmaInDscrErr   = 1 << 5
	gdmaOutDscrErr  = 1 << 6
	gdmaInDscrEmpty = 1 << 7
	gdmaOutTotalEOF = 1 << 8

	gdmaMemTrans = 1 << 4 // IN_CONF0
	gdmaInBurst  = 1<<2 | 1<<3
	gdmaAutoWrbk = 1 << 2 // OUT_CONF0

	// Timing (see GDMA): AHB cycles at 80 MHz.
	gdmaAHBHz           = 80_000_000
	gdmaCyclesPerDescr  = 3
	gdmaCyclesPerWord   = 2
	gdmaSRAMStart       = 0x3FC8_0000
	gdmaSRAMEnd         = 0x3FCE_0000
	gdmaMaxDescriptors  = 1 << 16 // a longer chain is taken for a loop
	gdmaDescriptorBytes = 12
)

func gdmaModelled(off uintptr) bool {
	if off < 3*gdmaIntStride {
		return true
	}
	if off < gdmaChBase || off >= gdmaChBase+3*gdmaChStride {
		return off == gdmaMiscConf
	}
	switch (off - gdmaChBase) % gdmaChStride {
	case gdmaInConf0, gdmaInLink, gdmaInSucEOF, gdmaInPeriSel, gdmaOutConf0, gdmaOutLink, gdmaOutEOF, gdmaOutPeriSel, 0x04, 0x64:
		return true
	}
	return false
}

func init() {
	registerModel("gdma", func(c *Chip) {
		mmio.ResetDMAMappings()
		g := &GDMA{c: c}
		g.blk = newBlock(c, "DMA", gdmaBase, gdmaModelled)
		for i := range g.ch {
			g.ch[i].line = irq{c: c, src: SourceDMACh0 + Source(i)}
			g.ch[i].finish = func() { g.finishMem2Mem(i) }
		}
		periphOf(c).gdma = g
		c.Hook(gdmaBase, blockSize, wordDevice{g})
		c.OnPeripheralReset(1, gdmaSysBit, g.reset)
	})
}

// GDMA returns the model of the GDMA controller.
func (c *Chip) GDMA() *GDMA { return periphOf(c).gdma }

func (g *GDMA) reset() {
	for i := range g.ch {
		ch := &g.ch[i]
		if ch.ev != nil {
			ch.ev.Cancel()
		}
		line, finish := ch.line, ch.finish
		*ch = gdmaChan{line: line, finish: finish}
		ch.line.set(false)
	}
	g.blk.reset()
}

func (g *GDMA) lock()            { g.c.Lock() }
func (g *GDMA) unlock()          { g.c.Unlock() }
func (g *GDMA) regBlock() *block { return g.blk }

func (g *GDMA) readReg(off uintptr) uint32 {
	if off < 3*gdmaIntStride {
		ch := &g.ch[off/gdmaIntStride]
		switch off % gdmaIntStride {
		case 0:
			return ch.raw
		case 4:
			return ch.raw & ch.ena
		case 8:
			return ch.ena
		}
		return 0
	}
	g.blk.touch(off, false)
	return g.blk.load(off)
}

func (g *GDMA) writeReg(off uintptr, v uint32) {
	if off < 3*gdmaIntStride {
		n := off / gdmaIntStride
		ch := &g.ch[n]
		switch off % gdmaIntStride {
		case 0, 0xC: // INT_RAW (write 1 to clear) and INT_CLR
			ch.raw &^= v
		case 8:
			ch.ena = v & gdmaIntMask
		}
		g.update(int(n))
		return
	}
	g.blk.touch(off, true)
	if off < gdmaChBase || off >= gdmaChBase+3*gdmaChStride {
		g.blk.store(off, v)
		return
	}
	n := int((off - gdmaChBase) / gdmaChStride)
	ch := &g.ch[n]
	switch (off - gdmaChBase) % gdmaChStride {
	case gdmaInConf0:
		g.blk.store(off, v)
		if v&1 != 0 { // IN_RST
			g.stop(n, true, false)
		}
	case gdmaOutConf0:
		g.blk.store(off, v)
		if v&1 != 0 { // OUT_RST
			g.stop(n, false, true)
		}
	case gdmaInLink:
		// START (b22) and RESTART (b23) are write-triggers; PARK (b24) reads 1 while idle.
		g.blk.store(off, v&^(1<<22|1<<23)|1<<24)
		if v&(1<<21) != 0 { // STOP
			g.stop(n, true, false)
		}
		if v&(1<<22|1<<23) != 0 {
			if v&(1<<23) != 0 {
				g.blk.once("restart", "INLINK_RESTART is modelled as INLINK_START")
			}
			ch.inStart, ch.inAddr = true, 0x3FC0_0000|v&0xFFFFF
			g.tryMem2Mem(n)
		}
	case gdmaOutLink:
		g.blk.store(off, v&^(1<<21|1<<22)|1<<23)
		if v&(1<<20) != 0 {
			g.stop(n, false, true)
		}
		if v&(1<<21|1<<22) != 0 {
			if v&(1<<22) != 0 {
				g.blk.once("restart", "OUTLINK_RESTART is modelled as OUTLINK_START")
			}
			ch.outStart, ch.outAddr = true, 0x3FC0_0000|v&0xFFFFF
			g.tryMem2Mem(n)
		}
	default:
		g.blk.store(off, v)
	}
}

func (g *GDMA) chReg(n int, off uintptr) uint32 {
	return g.blk.load(gdmaChBase + uintptr(n)*gdmaChStride + off)
}

func (g *GDMA) setChReg(n int, off uintptr, v uint32) {
	g.blk.store(gdmaChBase+uintptr(n)*gdmaChStride+off, v)
}

func (g *GDMA) update(n int) {
	ch := &g.ch[n]
	ch.line.set(ch.raw&ch.ena != 0)
}

func (g *GDMA) raise(n int, bits uint32) {
	g.ch[n].raw |= bits
	g.update(n)
}

// stop ends what a side of channel n is doing (a copy in progress is lost).
func (g *GDMA) stop(n int, in, out bool) {
	ch := &g.ch[n]
	if in {
		ch.inStart = false
	}
	if out {
		ch.outStart = false
	}
	if ch.ev != nil {
		ch.ev.Cancel()
		ch.ev = nil
	}
}

// node is one descriptor of a chain the model walks.
type node struct {
	addr, flags, buf uint32
	mem              []byte // the descriptor's 12 bytes
}

func (d *node) size() int   { return int(d.flags & 0xFFF) }
func (d *node) length() int { return int(d.flags >> 12 & 0xFFF) }
func (d *node) eof() bool   { return d.flags&(1<<30) != 0 }

func (d *node) setFlags(f uint32) {
	d.flags = f
	binary.LittleEndian.PutUint32(d.mem, f)
}

// sram reports whether [addr, addr+n) lies in internal SRAM.
func sram(addr uint32, n int) bool {
	return addr >= gdmaSRAMStart && uint64(addr)+uint64(n) <= gdmaSRAMEnd
}

// readNode fetches the descriptor at addr; false if the engine cannot reach it.
func (g *GDMA) readNode(addr uint32) (node, bool) {
	if addr&3 != 0 || !sram(addr, gdmaDescriptorBytes) {
		return node{}, false
	}
	mem := mmio.DMABytes(addr, gdmaDescriptorBytes)
	if mem == nil {
		return node{}, false
	}
	return node{addr: addr, flags: binary.LittleEndian.Uint32(mem), buf: binary.LittleEndian.Uint32(mem[4:]), mem: mem}, true
}

// bytesOf returns the buffer a node points at, n bytes; nil if the engine cannot reach it.
func bytesOf(buf uint32, n int) []byte {
	if n == 0 {
		return []byte{}
	}
	if !sram(buf, n) {
		return nil
	}
	return mmio.DMABytes(buf, n)
}

// chain walks a list from first: a transmit chain up to the node with suc_eof (eof), a
// receive chain until it holds want bytes. ok is false at a node the engine cannot reach.
// The nodes are appended to nodes[:0].
func (g *GDMA) chain(nodes []node, first uint32, tx bool, want int) (_ []node, total int, ok bool) {
	nodes = nodes[:0]
	addr := first
	for len(nodes) < gdmaMaxDescriptors {
		d, ok := g.readNode(addr)
		if !ok {
			return nodes, total, false
		}
		nodes = append(nodes, d)
		if tx {
			total += d.length()
			if d.eof() {
				return nodes, total, true
			}
		} else {
			total += d.size()
			if total >= want {
				return nodes, total, true
			}
		}
		addr = binary.LittleEndian.Uint32(d.mem[8:])
		if addr == 0 {
			return nodes, total, true // the end of the list
		}
	}
	g.blk.once("loop", "a descriptor chain of more than %d nodes: taken for a loop", gdmaMaxDescriptors)
	return nodes, total, false
}

// tryMem2Mem starts a memory-to-memory copy on channel n once both sides have started.
func (g *GDMA) tryMem2Mem(n int) {
	ch := &g.ch[n]
	if g.chReg(n, gdmaInConf0)&gdmaMemTrans == 0 || !ch.inStart || !ch.outStart || ch.ev != nil {
		return
	}
	if !g.c.PeripheralClockEnabled(1, gdmaSysBit) {
		g.blk.once("clockoff", "a transfer started while SYSTEM.PERIP_CLK_EN1.DMA_CLK_EN is clear: it never runs")
		return
	}
	var total, room int
	var ok bool
	ch.out, total, ok = g.chain(ch.out, ch.outAddr, true, 0)
	if !ok {
		ch.inStart, ch.outStart = false, false
		g.raise(n, gdmaOutDscrErr)
		return
	}
	ch.in, room, ok = g.chain(ch.in, ch.inAddr, false, total)
	if !ok {
		ch.inStart, ch.outStart = false, false
		g.raise(n, gdmaInDscrErr)
		return
	}
	if room < total {
		ch.inStart, ch.outStart = false, false
		g.raise(n, gdmaInDscrEmpty)
		return
	}
	if g.chReg(n, gdmaInConf0)&gdmaInBurst != 0 {
		for _, d := range ch.in {
			if d.buf&3 != 0 || d.size()&3 != 0 {
				g.blk.once("align", "memory-to-memory receive buffer at %#x (size %d) is not word-aligned with bursts on: the TRM requires word alignment; the model copies anyway", d.buf, d.size())
				break
			}
		}
	}
	cycles := uint64(gdmaCyclesPerDescr*(len(ch.out)+len(ch.in))) + gdmaCyclesPerWord*uint64((total+3)/4)
	ch.total = total
	ch.ev = g.c.Schedule(g.c.Now()+ticksToDuration(cycles, 1, gdmaAHBHz), ch.finish)
}

// finishMem2Mem moves the data of channel n's copy and writes the descriptors back.
func (g *GDMA) finishMem2Mem(n int) {
	ch := &g.ch[n]
	ch.ev = nil
	ch.inStart, ch.outStart = false, false
	// Move the bytes node to node: oi/oo is the position in the transmit chain, ii/io in
	// the receive chain.
	oi, oo, ii, io := 0, 0, 0, 0
	for moved := 0; moved < ch.total; {
		for ch.out[oi].length() == oo {
			oi, oo = oi+1, 0
		}
		for ch.in[ii].size() == io {
			ii, io = ii+1, 0
		}
		src := bytesOf(ch.out[oi].buf+uint32(oo), ch.out[oi].length()-oo)
		dst := bytesOf(ch.in[ii].buf+uint32(io), ch.in[ii].size()-io)
		if src == nil {
			g.raise(n, gdmaOutDscrErr)
			return
		}
		if dst == nil {
			g.raise(n, gdmaInDscrErr)
			return
		}
		k := copy(dst, src)
		oo, io, moved = oo+k, io+k, moved+k
	}
	if g.chReg(n, gdmaOutConf0)&gdmaAutoWrbk != 0 {
		for i := range ch.out {
			ch.out[i].setFlags(ch.out[i].flags &^ (1 << 31))
		}
	}
	// Receive nodes: the full ones, then the one the data ended in (suc_eof).
	left := ch.total
	for i := range ch.in {
		d := &ch.in[i]
		k := min(d.size(), left)
		left -= k
		f := d.flags&^(0xFFF<<12|1<<31|1<<30) | uint32(k)<<12
		if left == 0 {
			d.setFlags(f | 1<<30)
			g.setChReg(n, gdmaInSucEOF, d.addr)
			break
		}
		d.setFlags(f)
	}
	g.setChReg(n, gdmaOutEOF, ch.out[len(ch.out)-1].addr)
	g.raise(n, gdmaInDone|gdmaInSucEOFInt|gdmaOutDone|gdmaOutEOFInt|gdmaOutTotalEOF)
}

// GDMA peripheral IDs (PERI_SEL) the models serve.
const gdmaPeriSPI2 = 0

// peripheralChannel returns the channel whose IN (in) or OUT side is connected to peri
// and started, or -1.
func (g *GDMA) peripheralChannel(peri uint32, in bool) int {
	for n := range g.ch {
		ch := &g.ch[n]
		if in && ch.inStart && g.chReg(n, gdmaInPeriSel)&0x3F == peri && g.chReg(n, gdmaInConf0)&gdmaMemTrans == 0 {
			return n
		}
		if !in && ch.outStart && g.chReg(n, gdmaOutPeriSel)&0x3F == peri {
			return n
		}
	}
	return -1
}

// pullOut reads up to want bytes from channel n's OUT chain into a new slice: what a
// peripheral transmits. The chain is done after this (OUT_EOF, OUT_DONE, OUT_TOTAL_EOF
// when its suc_eof node was reached); an unreachable node is OUT_DSCR_ERR.
func (g *GDMA) pullOut(n, want int) []byte {
	ch := &g.ch[n]
	ch.outStart = false
	if !g.c.PeripheralClockEnabled(1, gdmaSysBit) {
		g.blk.once("clockoff", "a transfer started while SYSTEM.PERIP_CLK_EN1.DMA_CLK_EN is clear: it never runs")
		return nil
	}
	var ok bool
	ch.out, _, ok = g.chain(ch.out, ch.outAddr, true, 0)
	if !ok {
		g.raise(n, gdmaOutDscrErr)
		return nil
	}
	data := make([]byte, 0, want)
	for i := range ch.out {
		d := &ch.out[i]
		src := bytesOf(d.buf, d.length())
		if src == nil {
			g.raise(n, gdmaOutDscrErr)
			return data
		}
		data = append(data, src[:min(len(src), want-len(data))]...)
		if g.chReg(n, gdmaOutConf0)&gdmaAutoWrbk != 0 {
			d.setFlags(d.flags &^ (1 << 31))
		}
		if len(data) == want {
			break
		}
	}
	g.setChReg(n, gdmaOutEOF, ch.out[len(ch.out)-1].addr)
	g.raise(n, gdmaOutDone|gdmaOutEOFInt|gdmaOutTotalEOF)
	return data
}

// pushIn writes what a peripheral received into channel n's IN chain and ends it there:
// the receive descriptors are written back (the last with suc_eof), IN_SUC_EOF_DES_ADDR
// set, IN_DONE and IN_SUC_EOF raised. A chain too short for data is IN_DSCR_EMPTY (the
// rest is lost), an unreachable node IN_DSCR_ERR.
func (g *GDMA) pushIn(n int, data []byte) {
	ch := &g.ch[n]
	ch.inStart = false
	if !g.c.PeripheralClockEnabled(1, gdmaSysBit) {
		return
	}
	var room int
	var ok bool
	ch.in, room, ok = g.chain(ch.in, ch.inAddr, false, len(data))
	if !ok {
		g.raise(n, gdmaInDscrErr)
		return
	}
	for i := range ch.in {
		d := &ch.in[i]
		k := min(d.size(), len(data))
		dst := bytesOf(d.buf, k)
		if dst == nil {
			g.raise(n, gdmaInDscrErr)
			return
		}
		copy(dst, data[:k])
		data = data[k:]
		f := d.flags&^(0xFFF<<12|1<<31|1<<30) | uint32(k)<<12
		if len(data) == 0 || i == len(ch.in)-1 {
			d.setFlags(f | 1<<30)
			g.setChReg(n, gdmaInSucEOF, d.addr)
			break
		}
		d.setFlags(f)
	}
	if room < len(data) {
		g.raise(n, gdmaInDscrEmpty)
	}
	g.raise(n, gdmaInDone|gdmaInSucEOFInt)
}
