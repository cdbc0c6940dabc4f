// Package svd reads CMSIS-SVD 1.3.x device descriptions into a lossless, located model,
// resolves them (derivedFrom at every level, dim arrays, register property inheritance) and
// validates them with stable diagnostic codes.
//
// # Flow
//
// Parse reads the XML as written: every element and attribute of CMSIS-SVD 1.3.x, in
// document order, vendorExtensions kept as raw XML, every node with its file, line and
// (byte) column. Resolve returns a new Device in which nothing is inherited or derived any
// more; Validate checks it. Load does all three for a file. Diagnostics print as
// "FILE:LINE:COL: CODE: message (element path)"; the codes are listed in codes.go.
// Nothing in the package panics on bad input, whatever the bytes (a fuzz test checks it).
//
// # The resolved tree
//
// Generators consume the output of Resolve (or Load), which guarantees:
//
//   - derivedFrom is applied at every level: peripheral, cluster, register, field and
//     enumeratedValues. Paths may be relative (a sibling, or an element of an enclosing
//     cluster or of the peripheral) or dotted ("PERIPH.CLUSTER.REG.FIELD"); a bare
//     enumeratedValues name is searched in the field, its register, the enclosing clusters,
//     the peripheral, then the whole device. Chains are followed, cycles are errors. Only
//     members the deriving element does not give itself are copied (the source's dim is
//     not). The DerivedFrom strings stay in the tree for reference only.
//   - Peripheral.Derived is set when a peripheral took its registers from another (it had no
//     <registers> of its own): it points at the peripheral that owns them, following chains
//     to the first owner, so generators can emit one type for both. Copies 1..n-1 of an
//     expanded peripheral array point at copy 0 the same way. Each peripheral still holds
//     its own deep copy of the registers.
//   - Peripheral arrays and field arrays are expanded: one node per copy, "%s" (or "[%s]")
//     replaced by the index in name and description, base address or bit offset advanced by
//     dimIncrement, Dim cleared.
//   - Register and cluster arrays are kept: Dim.Dim and Dim.DimIncrement are set and
//     Dim.Indices holds the index strings, so generators can emit arrays; names keep their
//     "%s" or "[%s]". An array of more than 65,536 copies numbered from 0 (a memory window:
//     16,777,216 words of RAM) is one node too, but without index strings: nothing in
//     Resolve or Validate allocates per copy. Dim.Len and Dim.Index answer for every array
//     alike. Instances lists the copies (name, index, offset) for those who want them.
//   - Every register has Props.Size (8, 16, 32 or 64 bits), Access, ResetValue and ResetMask
//     set, inherited device → peripheral → cluster → register, with defaults size = device
//     width (or 32), access read-write, reset value 0, reset mask all ones of the size.
//     Inherited reset values and masks are cut to the register's size (a device-wide mask
//     of 0xFFFFFFFF says nothing about bits an 8-bit register lacks). Protection is
//     inherited but has no default. Clusters and peripherals carry the merged properties
//     they pass down.
//   - Every field has BitOffset and BitWidth (from bitOffset/bitWidth, lsb/msb or bitRange)
//     and Access (its own, else its register's). Enumerated values are masked to the field:
//     a plain value has every field bit in Mask, a "#1x0x" value has 0 in Mask where x was;
//     v matches when v&Mask == Value. An isDefault entry without a value has HasValue false.
//   - Peripherals and all children are in document order (array copies where the array was).
//
// # Lenient and strict
//
// By default (lenient) Resolve repairs what it safely can and says so with a warning: a
// field reaching past its register is clipped, an enumerated value that cannot fit its
// field (or has no usable value) is dropped, a register size of 1 is rounded up to 8, a
// vendor's free-text access type is read as the nearest standard one, a single-bit
// <bitRange> written "[n]" is read as "[n:n]", empty elements and stray text are ignored. What cannot be repaired is an error: XML that
// is not well-formed, structure in the wrong place, a missing required value, a number out
// of range, a derivedFrom target that does not exist or a cycle, an inconsistent dim. With
// Options.Strict every warning is an error too.
package svd
