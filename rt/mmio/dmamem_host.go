//go:build !tinygo && !mmio_plain

package mmio

import (
	"fmt"
	"sync"
	"unsafe"
)

// DMA bus addresses on the host.
//
// On the chip a DMA engine (GDMA) sees the same 32-bit addresses as the core: a descriptor
// holds the address of its buffer and of the next descriptor, and a channel's LINK register
// holds the low 20 bits of the first descriptor's address (the engine supplies the high
// bits of internal SRAM). On the host the firmware's buffers and descriptors are Go
// variables with 64-bit addresses, so they are given 32-bit bus addresses in a window of
// the simulated internal SRAM, [DMAWindowStart, DMAWindowEnd): BusAddr hands them out (the
// firmware side, hal/dma) and DMABytes turns them back into the host memory (the simulator's
// GDMA model). Memory inside the simulated address space (At) keeps its physical address,
// so DMA to or from a register block or a flash window can be tried, and refused, as on the
// chip.
//
// A mapping covers exactly the bytes asked for and keeps them alive (it holds the Go
// pointer); a request inside an existing mapping reuses it, so buffers and descriptor
// tables reused from one transfer to the next map once. The bus address keeps the host
// address's low 4 bits, so word alignment is the same on both sides. The window is used as
// a ring: when it is full, the oldest mappings are dropped to make room, and a descriptor
// built before that refers to memory the simulator no longer finds (its transfer fails
// with a descriptor error). 384 KiB of distinct DMA memory per run is far more than a test
// or an example uses. ResetDMAMappings forgets every mapping.

// The window of simulated internal SRAM (the C3's data-bus SRAM, 0x3FC80000..0x3FCE0000)
// that host memory is mapped into.
const (
	DMAWindowStart = 0x3FC8_0000
	DMAWindowEnd   = 0x3FCE_0000
)

type dmaMapping struct {
	p   unsafe.Pointer // the Go memory, kept alive
	n   uintptr
	bus uint32
}

var dmaMap struct {
	mu   sync.Mutex
	ring [512]dmaMapping // oldest first from head; n == 0: unused
	head int
	cnt  int
	next uint32 // next free bus address in the window
}

// BusAddr returns the 32-bit bus address at which the simulated chip's DMA engine reaches
// the host memory [p, p+n) (n >= 1). It never allocates.
func BusAddr(p unsafe.Pointer, n uintptr) uint32 {
	if n == 0 {
		n = 1
	}
	host := uintptr(p)
	if base := uintptr(bus.base()); host >= base && host-base < AddressSpace {
		return uint32(host - base)
	}
	m := &dmaMap
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := m.cnt - 1; i >= 0; i-- { // newest first
		e := &m.ring[(m.head+i)%len(m.ring)]
		if start := uintptr(e.p); host >= start && host+n <= start+e.n {
			return e.bus + uint32(host-start)
		}
	}
	if n > DMAWindowEnd-DMAWindowStart-16 {
		panic(fmt.Sprintf("mmio: %d bytes of host memory cannot be mapped for DMA: the window is %d bytes", n, DMAWindowEnd-DMAWindowStart))
	}
	if m.next < DMAWindowStart {
		m.next = DMAWindowStart
	}
	addr := m.next&^15 | uint32(host&15)
	if addr < m.next {
		addr += 16
	}
	if uintptr(addr)+n > DMAWindowEnd {
		addr = DMAWindowStart | uint32(host&15)
	}
	end := uintptr(addr) + n
	// Drop the mappings the new one overlaps (the oldest ones, the window being a ring).
	for m.cnt > 0 {
		e := &m.ring[m.head]
		if uintptr(e.bus) < end && uintptr(addr) < uintptr(e.bus)+e.n {
			*e = dmaMapping{}
			m.head = (m.head + 1) % len(m.ring)
			m.cnt--
			continue
		}
		break
	}
	if m.cnt == len(m.ring) {
		m.ring[m.head] = dmaMapping{}
		m.head = (m.head + 1) % len(m.ring)
		m.cnt--
	}
	m.ring[(m.head+m.cnt)%len(m.ring)] = dmaMapping{p: p, n: n, bus: addr}
	m.cnt++
	m.next = uint32(end)
	return addr
}

// DMABytes returns the host memory the simulated chip's DMA engine reaches at bus address
// addr, n bytes, or nil when [addr, addr+n) is not all DMA-visible memory: inside the
// window it must lie in one mapping BusAddr made; outside it, it is the simulated address
// space's own memory (a register block reads as its backing memory there: callers decide
// which regions the engine may reach).
func DMABytes(addr uint32, n int) []byte {
	if n <= 0 {
		return nil
	}
	if addr >= DMAWindowStart && addr < DMAWindowEnd {
		m := &dmaMap
		m.mu.Lock()
		defer m.mu.Unlock()
		for i := m.cnt - 1; i >= 0; i-- {
			e := &m.ring[(m.head+i)%len(m.ring)]
			if addr >= e.bus && uintptr(addr-e.bus)+uintptr(n) <= e.n {
				return unsafe.Slice((*byte)(unsafe.Add(e.p, addr-e.bus)), n)
			}
		}
		return nil
	}
	if uint64(addr)+uint64(n) > AddressSpace {
		return nil
	}
	return unsafe.Slice((*byte)(bus.hostAddr(uintptr(addr), uintptr(n))), n)
}

// ResetDMAMappings forgets every mapping: the simulator calls it when a new chip starts, so
// bus addresses do not depend on what earlier runs in the process mapped.
func ResetDMAMappings() {
	m := &dmaMap
	m.mu.Lock()
	defer m.mu.Unlock()
	clear(m.ring[:])
	m.head, m.cnt, m.next = 0, 0, 0
}
