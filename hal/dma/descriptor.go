package dma

import (
	"sync/atomic"
	"unsafe"
)

// Descriptor is one node of a GDMA linked list, laid out as the hardware reads it: three
// 32-bit words (TRM, GDMA, "Linked List"; ESP-IDF's dma_descriptor_t).
//
//	word 0: size [11:0] (the buffer's size, for a receive chain), length [23:12] (the bytes
//	        in the buffer: written by software to transmit, by hardware on receive),
//	        err_eof b28, suc_eof b30 (the last node of a transmit chain; set by hardware
//	        on the node a receive ends in), owner b31 (1: the DMA may use the node)
//	word 1: the buffer's address
//	word 2: the next node's address (0: none)
//
// Descriptors live in memory the caller provides (a []Descriptor, in internal SRAM): the
// drivers build chains into them and never allocate. The hardware writes receive
// descriptors back, so they must stay untouched, and at one address, while a transfer is
// in progress.
type Descriptor struct {
	Flags  uint32
	Buffer uint32
	Next   uint32
}

// The fields of Descriptor.Flags.
const (
	flagSizeMask          = 0xFFF
	flagLenShift          = 12
	flagLenMask           = 0xFFF << flagLenShift
	FlagErrEOF            = 1 << 28
	FlagSucEOF            = 1 << 30
	FlagOwnerDMA   uint32 = 1 << 31
	maxBufferBytes        = 4095 // size and length are 12 bits
)

// ChunkSize is the most bytes a chain built here puts behind one descriptor: 4092, the
// largest word-aligned size the 12-bit fields hold (ESP-IDF's
// DMA_DESCRIPTOR_BUFFER_MAX_SIZE_4B_ALIGNED), so every node but the last of a chain over a
// word-aligned buffer starts word-aligned, as receive nodes must with burst transfers.
const ChunkSize = 4092

// DescriptorsFor returns how many descriptors a chain over n bytes takes: one per
// ChunkSize bytes (at least one).
func DescriptorsFor(n int) int {
	if n <= ChunkSize {
		return 1
	}
	return (n + ChunkSize - 1) / ChunkSize
}

// Size returns the buffer size (word 0, bits 11..0).
func (d *Descriptor) Size() int { return int(d.flags() & flagSizeMask) }

// Length returns the byte count (word 0, bits 23..12): what a transmit node sends, or what
// the hardware wrote into a receive node's buffer.
func (d *Descriptor) Length() int { return int(d.flags() & flagLenMask >> flagLenShift) }

// SucEOF reports the suc_eof bit: the last node of a transmit chain, or the node a receive
// ended in.
func (d *Descriptor) SucEOF() bool { return d.flags()&FlagSucEOF != 0 }

// OwnedByDMA reports the owner bit (1: the DMA may use the node; the hardware clears it
// on receive nodes it has filled).
func (d *Descriptor) OwnedByDMA() bool { return d.flags()&FlagOwnerDMA != 0 }

// flags reads word 0 with an atomic load: the DMA engine writes it back, outside what the
// compiler sees.
func (d *Descriptor) flags() uint32 { return atomic.LoadUint32(&d.Flags) }

func (d *Descriptor) set(flags, buf, next uint32) {
	atomic.StoreUint32(&d.Buffer, buf)
	atomic.StoreUint32(&d.Next, next)
	atomic.StoreUint32(&d.Flags, flags)
}

// Internal SRAM on the data bus: the only memory the GDMA reaches (TRM, GDMA: "GDMA ...
// accesses internal RAM"; flash, its cache windows and ROM are out of its reach).
const (
	SRAMStart = 0x3FC8_0000
	SRAMEnd   = 0x3FCE_0000
)

// internal reports whether [addr, addr+n) lies in internal SRAM.
func internal(addr uint32, n int) bool {
	return addr >= SRAMStart && uint64(addr)+uint64(n) <= SRAMEnd
}

// Direction says which way a chain moves data.
type Direction uint8

// Directions.
const (
	TX Direction = iota // memory to the engine: the nodes' length is set, the last has suc_eof
	RX                  // the engine to memory: the nodes' size is set, the hardware fills length
)

// BuildChain builds a chain over buf into descs (DescriptorsFor(len(buf)) of them, from
// descs[0]) and returns that count: ChunkSize-byte pieces, owner = DMA, linked in order,
// the last with next = 0 and, for TX, suc_eof. The buffer and the descriptors must be in
// internal SRAM (ErrNotInternal), buf must not be empty (ErrLength) and descs long enough
// (ErrDescriptors). It never allocates.
func BuildChain(descs []Descriptor, buf []byte, dir Direction) (int, error) {
	if len(buf) == 0 {
		return 0, ErrLength
	}
	k := DescriptorsFor(len(buf))
	if len(descs) < k {
		return 0, ErrDescriptors
	}
	bufAddr := busAddr(unsafe.Pointer(unsafe.SliceData(buf)), uintptr(len(buf)))
	descAddr := busAddr(unsafe.Pointer(unsafe.SliceData(descs)), uintptr(k)*unsafe.Sizeof(Descriptor{}))
	if !internal(bufAddr, len(buf)) || !internal(descAddr, k*12) {
		return 0, ErrNotInternal
	}
	for i := 0; i < k; i++ {
		n := min(ChunkSize, len(buf)-i*ChunkSize)
		flags := FlagOwnerDMA | uint32(n) // size
		if dir == TX {
			flags |= uint32(n) << flagLenShift
		}
		var next uint32
		if i == k-1 {
			if dir == TX {
				flags |= FlagSucEOF
			}
		} else {
			next = descAddr + uint32(i+1)*12
		}
		descs[i].set(flags, bufAddr+uint32(i*ChunkSize), next)
	}
	return k, nil
}

// Received returns how many bytes a receive chain (descs as BuildChain made it) holds:
// the lengths of its nodes up to the one with suc_eof, or of all of them if none has it.
func Received(descs []Descriptor) int {
	n := 0
	for i := range descs {
		n += descs[i].Length()
		if descs[i].SucEOF() || atomic.LoadUint32(&descs[i].Next) == 0 {
			break
		}
	}
	return n
}

// linkAddr returns the 20-bit LINK register field for the chain starting at d (the low 20
// bits of its address: the engine supplies the high bits of internal SRAM).
func linkAddr(d *Descriptor) uint32 {
	return busAddr(unsafe.Pointer(d), unsafe.Sizeof(*d)) & 0xFFFFF
}
