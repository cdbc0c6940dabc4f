//go:build !tinygo && !mmio_plain

package mmio

import (
	"fmt"
	"math/bits"
	"sort"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Device is a simulator model of a peripheral behind the host bus. Its methods are called for
// every access inside the address range it was hooked on, from whichever goroutine makes the
// access; a Device synchronises its own state.
type Device interface {
	// Read returns the value of a size-byte read (1, 2, 4 or 8) at physical address addr.
	Read(addr uintptr, size int) uint64
	// Write performs a size-byte write of value at physical address addr.
	Write(addr uintptr, size int, value uint64)
}

// AccessObserver, when set, is called after every register access that no Device handled,
// with the physical address and whether it was a write. The simulator uses it to log
// touches of registers it does not model.
type AccessObserver func(addr uintptr, size int, write bool)

type hook struct {
	start, end uintptr // [start, end)
	dev        Device
}

type hostBus struct {
	mu       sync.Mutex // serialises changes to hooks and resets; accesses never take it
	mem      unsafe.Pointer
	hooks    atomic.Pointer[[]hook] // sorted by start, immutable once published
	observer atomic.Pointer[AccessObserver]
	resets   map[uintptr]Reset // single registers, keyed by absolute address, for ResetMemory
	arrays   []arrayReset      // entries with Count > 1, in the order InitReset recorded them
	// dirty has a bit per 4 KiB page that a memory write touched, so ResetMemory only
	// clears what was used.
	dirty []uint32
	// accessHook is called before every access; the host CPU model uses it as a preemption
	// point so interrupts are taken between register accesses, as on the chip.
	accessHook atomic.Pointer[func()]
}

var bus hostBus

// arrayReset is a Reset of an array (isArray) at absolute address addr.
type arrayReset struct {
	addr uintptr
	r    Reset
}

// isArray reports whether r is the reset value of several copies at different addresses.
func isArray(r Reset) bool { return r.Count > 1 && r.Stride > 0 }

// copies returns the indices [lo, hi) of the copies of a that lie wholly in [start, end).
func (a *arrayReset) copies(start, end uintptr) (lo, hi uintptr) {
	stride, size := uintptr(a.r.Stride), uintptr(a.r.Size)
	if end < a.addr+size {
		return 0, 0
	}
	if start > a.addr {
		lo = (start - a.addr + stride - 1) / stride
	}
	hi = min(uintptr(a.r.Count), (end-size-a.addr)/stride+1)
	return lo, max(lo, hi)
}

// store writes the reset value into copies [lo, hi) of a. The caller holds bus.mu and has
// checked that a lies in the address space.
func (a *arrayReset) store(lo, hi uintptr) {
	for i := lo; i < hi; i++ {
		addr := a.addr + i*uintptr(a.r.Stride)
		bus.markDirty(addr)
		storeMem(unsafe.Add(bus.mem, addr), int(a.r.Size), a.r.Value)
	}
}

// AddressSpace is the size of the simulated physical address space.
const AddressSpace = 1 << 32

const pageSize = 4096

func (b *hostBus) markDirty(addr uintptr) {
	page := addr / pageSize
	if atomic.LoadUint32(&b.dirty[page/32])&(1<<(page%32)) == 0 {
		atomic.OrUint32(&b.dirty[page/32], 1<<(page%32))
	}
}

func (b *hostBus) base() unsafe.Pointer {
	if p := atomic.LoadPointer(&b.mem); p != nil {
		return p
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.mem == nil {
		b.dirty = make([]uint32, AddressSpace/pageSize/32)
		atomic.StorePointer(&b.mem, reserve(AddressSpace))
	}
	return b.mem
}

func (b *hostBus) hostAddr(addr, size uintptr) unsafe.Pointer {
	if addr >= AddressSpace || size > AddressSpace-addr {
		panic(fmt.Sprintf("mmio: register block at %#x (size %d) is outside the simulated 32-bit address space", addr, size))
	}
	return unsafe.Add(b.base(), addr)
}

func (b *hostBus) phys(p unsafe.Pointer) uintptr {
	return uintptr(p) - uintptr(b.base())
}

func (b *hostBus) device(addr uintptr) Device {
	hs := b.hooks.Load()
	if hs == nil {
		return nil
	}
	h := *hs
	i := sort.Search(len(h), func(i int) bool { return h[i].end > addr })
	if i < len(h) && h[i].start <= addr {
		return h[i].dev
	}
	return nil
}

func (b *hostBus) read(p unsafe.Pointer, size int) uint64 {
	if f := b.accessHook.Load(); f != nil {
		(*f)()
	}
	addr := b.phys(p)
	if d := b.device(addr); d != nil {
		return d.Read(addr, size)
	}
	if o := b.observer.Load(); o != nil {
		(*o)(addr, size, false)
	}
	return loadMem(p, size)
}

func (b *hostBus) write(p unsafe.Pointer, size int, v uint64) {
	if f := b.accessHook.Load(); f != nil {
		(*f)()
	}
	addr := b.phys(p)
	if d := b.device(addr); d != nil {
		d.Write(addr, size, v)
		return
	}
	if o := b.observer.Load(); o != nil {
		(*o)(addr, size, true)
	}
	b.markDirty(addr)
	storeMem(p, size, v)
}

// loadMem and storeMem access backing memory atomically: registers are shared between
// cores, interrupt handlers and device models, and a register access is never a data race.
// Sub-word accesses go through the aligned 32-bit word that holds them.
func loadMem(p unsafe.Pointer, size int) uint64 {
	switch size {
	case 8:
		return atomic.LoadUint64((*uint64)(p))
	case 4:
		return uint64(atomic.LoadUint32((*uint32)(p)))
	}
	word, shift, mask := subword(p, size)
	return uint64((atomic.LoadUint32(word) >> shift) & mask)
}

func storeMem(p unsafe.Pointer, size int, v uint64) {
	switch size {
	case 8:
		atomic.StoreUint64((*uint64)(p), v)
		return
	case 4:
		atomic.StoreUint32((*uint32)(p), uint32(v))
		return
	}
	word, shift, mask := subword(p, size)
	for {
		old := atomic.LoadUint32(word)
		nw := old&^(mask<<shift) | (uint32(v)&mask)<<shift
		if atomic.CompareAndSwapUint32(word, old, nw) {
			return
		}
	}
}

func subword(p unsafe.Pointer, size int) (word *uint32, shift, mask uint32) {
	off := uintptr(p) & 3
	word = (*uint32)(unsafe.Add(p, -int(off)))
	shift = uint32(off * 8) // little-endian, as every target gohal supports
	mask = uint32(1)<<(uint(size)*8) - 1
	return word, shift, mask
}

// Hook routes every access in [start, end) to dev until the returned function is called.
// It panics if the range overlaps a range that is already hooked: two models of the same
// registers are a bug in the simulator.
func Hook(start, end uintptr, dev Device) (unhook func()) {
	bus.mu.Lock()
	defer bus.mu.Unlock()
	var cur []hook
	if hs := bus.hooks.Load(); hs != nil {
		cur = *hs
	}
	for _, h := range cur {
		if start < h.end && h.start < end {
			panic(fmt.Sprintf("mmio: hook [%#x,%#x) overlaps hooked range [%#x,%#x)", start, end, h.start, h.end))
		}
	}
	next := append(append([]hook(nil), cur...), hook{start, end, dev})
	sort.Slice(next, func(i, j int) bool { return next[i].start < next[j].start })
	bus.hooks.Store(&next)
	return func() {
		bus.mu.Lock()
		defer bus.mu.Unlock()
		var kept []hook
		for _, h := range *bus.hooks.Load() {
			if h.start != start || h.end != end || h.dev != dev {
				kept = append(kept, h)
			}
		}
		bus.hooks.Store(&kept)
	}
}

// Peek reads size bytes of backing memory at addr without going through any hook. Device
// models use it for registers that behave as plain memory.
func Peek(addr uintptr, size int) uint64 { return loadMem(bus.hostAddr(addr, uintptr(size)), size) }

// Poke writes size bytes of backing memory at addr without going through any hook.
func Poke(addr uintptr, size int, v uint64) {
	p := bus.hostAddr(addr, uintptr(size))
	bus.markDirty(addr)
	storeMem(p, size, v)
}

// SetObserver installs (or, with nil, removes) the observer of unhooked accesses.
func SetObserver(o AccessObserver) {
	if o == nil {
		bus.observer.Store(nil)
		return
	}
	bus.observer.Store(&o)
}

// SetAccessHook installs (or, with nil, removes) a function called before every register
// access. The host CPU model uses it as the point where pending interrupts preempt.
func SetAccessHook(f func()) {
	if f == nil {
		bus.accessHook.Store(nil)
		return
	}
	bus.accessHook.Store(&f)
}

// InitReset records the reset values of the peripheral at base and writes them to memory.
// Generated chip packages call it from a host-only init function. Entries with Count > 1 are
// written first, copy by copy, then the single registers: where a single register shares an
// address with a copy of an array, its value stays, now and after ResetMemory or ResetRange.
func InitReset(base uintptr, table []Reset) {
	bus.base() // reserve the address space first (it takes bus.mu itself)
	bus.mu.Lock()
	defer bus.mu.Unlock()
	if bus.resets == nil {
		bus.resets = make(map[uintptr]Reset)
	}
	for _, r := range table {
		if !isArray(r) {
			continue
		}
		a := arrayReset{base + uintptr(r.Offset), r}
		// panics, naming the address, when the last copy is outside the space
		bus.hostAddr(a.addr, uintptr(r.Count-1)*uintptr(r.Stride)+uintptr(r.Size))
		bus.arrays = append(bus.arrays, a)
		a.store(0, uintptr(r.Count))
	}
	for _, r := range table {
		if isArray(r) {
			continue
		}
		addr := base + uintptr(r.Offset)
		bus.resets[addr] = r
		p := bus.hostAddr(addr, uintptr(r.Size)) // panics, naming the address, outside the space
		bus.markDirty(addr)
		storeMem(p, int(r.Size), r.Value)
	}
}

// ResetRange returns the memory in [start, end) to its reset state: registers recorded by
// InitReset read their reset values again, everything else reads zero. A simulator model
// calls it when firmware resets its peripheral, so the SVD's reset values, recorded once by
// the generated PAC, are the only copy.
func ResetRange(start, end uintptr) {
	bus.mu.Lock()
	defer bus.mu.Unlock()
	for a := start &^ 7; a < end; a += 8 {
		if a >= start && a+8 <= end {
			storeMem(bus.hostAddr(a, 8), 8, 0)
			continue
		}
		for b := max(a, start); b < min(a+8, end); b++ {
			storeMem(bus.hostAddr(b, 1), 1, 0)
		}
	}
	for i := range bus.arrays {
		a := &bus.arrays[i]
		a.store(a.copies(start, end))
	}
	for addr, r := range bus.resets {
		if addr >= start && addr+uintptr(r.Size) <= end {
			bus.markDirty(addr)
			storeMem(bus.hostAddr(addr, uintptr(r.Size)), int(r.Size), r.Value)
		}
	}
}

// ResetMemory returns every register recorded by InitReset to its reset value, zeroes the
// rest of the memory that was written, and removes all hooks and observers. A simulator calls
// it between runs so each test starts from a chip fresh out of reset.
func ResetMemory() {
	bus.mu.Lock()
	defer bus.mu.Unlock()
	bus.hooks.Store(nil)
	bus.observer.Store(nil)
	bus.accessHook.Store(nil)
	if bus.mem == nil {
		return
	}
	for i := range bus.dirty {
		w := atomic.SwapUint32(&bus.dirty[i], 0)
		for w != 0 {
			bit := uintptr(bits.TrailingZeros32(w))
			w &^= 1 << bit
			page := (uintptr(i)*32 + bit) * pageSize
			clear(unsafe.Slice((*uint64)(unsafe.Add(bus.mem, page)), pageSize/8))
		}
	}
	for i := range bus.arrays {
		a := &bus.arrays[i]
		a.store(0, uintptr(a.r.Count))
	}
	for addr, r := range bus.resets {
		bus.markDirty(addr)
		storeMem(unsafe.Add(bus.mem, addr), int(r.Size), r.Value)
	}
}
