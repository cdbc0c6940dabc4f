// Package mmio holds the memory-mapped register cells that generated PACs are built from.
//
// A cell (U8, U16, U32, U64) is one hardware register of that width. Its only operations are
// Load and Store, each a single volatile access of exactly the cell's width; everything richer
// (typed values, field accessors, modify semantics) lives in the generated code above it and
// compiles away.
//
// There are three implementations behind one API, chosen by build tag:
//
//   - tinygo: the real thing, over runtime/volatile.
//   - default host build: a simulated bus. Physical addresses map onto a host memory
//     reservation; a simulator model can hook the reads and writes of an address range
//     (Hook), everything else behaves as memory that starts at the SVD reset values
//     (InitReset). This is how firmware runs under `go test`.
//   - mmio_plain (host, never for firmware): bare loads and stores with no bus, used only by
//     the assembly check that proves the generated layer adds no cost of its own.
//
// At is the single audited place where an integer address becomes a pointer, so generated
// code stays `go vet` clean.
package mmio

// Reset is one register's reset value, relative to the base address of its peripheral, or
// with Count > 1 the reset value of Count registers Stride bytes apart: an array too large to
// list copy by copy (a memory window of millions of words). Generated chip packages pass
// tables of these to InitReset on the host, so simulated memory starts in the state the SVD
// describes.
type Reset struct {
	Offset uint32 // byte offset from the peripheral base (of the first copy)
	Size   uint8  // access size in bytes: 1, 2, 4 or 8
	Value  uint64 // reset value
	Count  uint32 // 0 or 1: one register; more: an array of Count copies
	Stride uint32 // bytes from one copy to the next, when Count > 1
}
