// Package codegen turns a resolved CMSIS-SVD device (package svd) into Go register packages:
// one chip package and one package per peripheral type. It is the engine behind
// `svdgen gen`; Build makes the decisions (names, layout, masks, sharing), Emit prints them.
//
// # The generated API
//
// For a register CONF0 of peripheral type uart:
//
//	type CONF0 struct{ reg mmio.U32 }      // the register, a field of uart.UART at its offset
//	type CONF0Value uint32                 // a storable value of it
//	const CONF0Reset CONF0Value = 0x1c     // its reset value
//
//	func (r *CONF0) Read() CONF0Value                            // readable registers
//	func (r *CONF0) Write(v CONF0Value)                          // writable registers
//	func (r *CONF0) WriteWith(f func(CONF0Value) CONF0Value)     // stores f(CONF0Reset)
//	func (r *CONF0) Reset()                                      // stores CONF0Reset
//	func (r *CONF0) Modify(f func(CONF0Value) CONF0Value)        // read-write registers
//
//	func (v CONF0Value) PARITY_EN() bool                         // 1-bit field
//	func (v CONF0Value) WithPARITY_EN(b bool) CONF0Value
//	func (v CONF0Value) BIT_NUM() BIT_NUM                        // field with an enumeration
//	func (v CONF0Value) WithBIT_NUM(x BIT_NUM) CONF0Value
//	func (v CONF0Value) WIDE() uint32                            // other fields
//	func (v CONF0Value) WithWIDE(x uint32) CONF0Value            // masks x to the field
//
// Read-only registers have no Write, WriteWith, Reset or Modify; write-only and writeOnce
// registers have no Read or Modify; read-only fields have no setter, write-only fields no
// getter. A value of one register has a type of its own, so it cannot be written to
// another. Modify passes f the register's value with write-1-to-clear/toggle bits forced to
// 0 and write-0-to-clear/toggle bits forced to 1, so flags f does not touch are written as
// no-ops. Enumerations are named types with constants TYPE_VALUE, IsVALUE methods (don't-care
// patterns compare under their mask) and String.
//
// Register blocks are structs whose fields sit at the SVD offsets, with explicit padding;
// dim arrays are Go arrays (elements padded to the stride), clusters nested structs.
// Registers that overlap a field (alternates), are misaligned, or form arrays whose stride
// does not fit become accessor methods returning a pointer at their offset. Registers the
// SVD spells out one by one (PIN0 … PIN25, identical and back to back) become one array, and
// interleaved per-channel registers (INT_RAW_CH0 … INT_CLR_CH2, or dim arrays of one
// stride) one cluster array (DMA.CH[n].IN_CONF0); see mergeRuns and inferClusters for the
// exact conditions. Peripherals with identical register maps share a package and type.
//
// Every peripheral package has a layout.go of constant expressions, -(got ^ want) over
// unsafe.Sizeof and unsafe.Offsetof, that stop the package from compiling when a struct's
// size, a field's offset, an array's size or a register's width differs from the SVD: each
// compiler checks the layout with its own sizes (gc on any GOARCH, TinyGo on 32-bit cores).
// Emit's Tests option adds layout_test.go, which checks the same, and the addresses
// accessor methods return, at run time.
//
// The chip package has device and CPU facts as constants, NAMEBase address constants, one
// variable per instance (UART0 = mmio.At[uart.UART](UART0Base)), the Interrupt type with
// IRQ_NAME constants, the Interrupts table and String, and on the host an init function that
// loads every instance's reset values into the simulated bus (mmio.InitReset).
//
// Arrays can be memory windows of millions of words (a 64 MiB RAM as 16,777,216 registers):
// a Go array type costs nothing until something allocates one, which nothing does, and the
// generator never visits their copies. Member.Indices is nil for arrays numbered 0 … n-1,
// layout checks measure arrays whole, the layout test takes each array's first and last
// element, and the reset tables skip elements that reset to zero and give an array that
// would add more than maxArrayRows rows one entry with a Count and Stride.
//
// Output is deterministic and already in gofmt's layout (CheckFormat verifies it); every
// file starts with HeaderPrefix, which WriteTree relies on to refuse foreign directories.
package codegen
