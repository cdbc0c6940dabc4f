package svd

import "math"

// Pos is where an element starts in its source file. Line and Col count from 1.
type Pos struct {
	File string
	Line int
	Col  int
}

// Opt is an optional value: Set says whether the SVD gave it (or inheritance filled it in).
type Opt[T any] struct {
	Val T
	Set bool
}

// Some returns a set Opt holding v.
func Some[T any](v T) Opt[T] { return Opt[T]{Val: v, Set: true} }

// Or returns the value if set, otherwise def.
func (o Opt[T]) Or(def T) T {
	if o.Set {
		return o.Val
	}
	return def
}

// Access is the CMSIS-SVD accessType.
type Access uint8

// Access values. AccessUnspecified means the SVD did not say (and nothing was inherited).
const (
	AccessUnspecified Access = iota
	ReadOnly                 // read-only
	WriteOnly                // write-only
	ReadWrite                // read-write
	WriteOnce                // writeOnce
	ReadWriteOnce            // read-writeOnce
)

// ModifiedWriteValues is the CMSIS-SVD modifiedWriteValuesType: what writing a bit does.
type ModifiedWriteValues uint8

// ModifiedWriteValues values; MWVUnspecified means plain "modify".
const (
	MWVUnspecified ModifiedWriteValues = iota
	OneToClear
	OneToSet
	OneToToggle
	ZeroToClear
	ZeroToSet
	ZeroToToggle
	Clear
	Set
	Modify
)

// ReadAction is the CMSIS-SVD readActionType: a side effect of reading.
type ReadAction uint8

// ReadAction values.
const (
	ReadActionNone ReadAction = iota
	ReadClear
	ReadSet
	ReadModify
	ReadModifyExternal
)

// EnumUsage is the usage of an enumeratedValues container.
type EnumUsage uint8

// EnumUsage values; UsageUnspecified is read-write per the standard.
const (
	UsageUnspecified EnumUsage = iota
	UsageRead
	UsageWrite
	UsageReadWrite
)

// Protection is the CMSIS-SVD protectionStringType.
type Protection uint8

// Protection values.
const (
	ProtectionUnspecified Protection = iota
	Secure                           // "s"
	NonSecure                        // "n"
	Privileged                       // "p"
)

// Endian is the CPU endianness.
type Endian uint8

// Endian values.
const (
	EndianUnspecified Endian = iota
	Little
	Big
	Selectable
	OtherEndian
)

// RegisterProperties is the registerPropertiesGroup shared by device, peripheral, cluster and
// register. After Resolve every register has all of them set (size and access from the
// device default when nothing closer gave them).
type RegisterProperties struct {
	Size       Opt[uint32] // bits
	Access     Opt[Access]
	Protection Opt[Protection]
	ResetValue Opt[uint64]
	ResetMask  Opt[uint64]
}

// Dim is the dimElementGroup: an element that stands for an array or list of copies.
type Dim struct {
	Dim           Opt[uint32]
	DimIncrement  Opt[uint64] // bytes
	DimIndex      string      // as written: "0-3", "A-D" or "a,b,c"
	DimName       string
	DimArrayIndex *DimArrayIndex

	// Indices is filled by Resolve: the index strings substituted for %s, one per copy. A
	// register or cluster array of more than 65,536 copies numbered 0, 1, … (a memory window
	// such as 16,777,216 words of RAM) has none, because a string per copy would cost memory
	// in proportion to the window: Len and Index answer for every resolved array alike.
	Indices []string

	counted uint32 // the copies of such a large array, whose Indices are left nil
}

// Len returns how many copies a resolved register or cluster array has: len(Indices), or
// the dim of a large array numbered from 0 whose Indices are left nil. It is 0 when the
// element is not an array or its dim could not be resolved (an error was reported).
func (d *Dim) Len() int {
	if d.Indices != nil {
		return len(d.Indices)
	}
	if uint64(d.counted) > math.MaxInt { // a 32-bit host
		return math.MaxInt
	}
	return int(d.counted)
}

// Index returns the index string of copy i (0 ≤ i < Len()): Indices[i], or i in decimal
// when Indices is left nil.
func (d *Dim) Index(i int) string {
	if d.Indices != nil {
		return d.Indices[i]
	}
	return itoa(i)
}

// DimArrayIndex names the entries of an array (enumeratedValues without usage).
type DimArrayIndex struct {
	Pos        Pos
	HeaderEnum string
	Values     []*EnumeratedValue
}

// WriteConstraint limits what may be written to a field or register.
type WriteConstraint struct {
	Pos                 Pos
	WriteAsRead         bool
	UseEnumeratedValues bool
	Range               *Range
}

// Range is an inclusive range of values.
type Range struct{ Min, Max uint64 }

// RawXML is an element kept verbatim: vendorExtensions and anything else the model does not
// interpret.
type RawXML struct {
	Pos Pos
	XML string
}

// Device is the root of an SVD file.
type Device struct {
	Pos                     Pos
	SchemaVersion           string
	Vendor                  string
	VendorID                string
	Name                    string
	Series                  string
	Version                 string
	Description             string
	LicenseText             string
	CPU                     *CPU
	HeaderSystemFilename    string
	HeaderDefinitionsPrefix string
	AddressUnitBits         Opt[uint32]
	Width                   Opt[uint32]
	Props                   RegisterProperties
	Peripherals             []*Peripheral
	VendorExtensions        *RawXML
}

// CPU describes the processor core.
type CPU struct {
	Pos                 Pos
	Name                string
	Revision            string
	Endian              Endian
	MPUPresent          Opt[bool]
	FPUPresent          Opt[bool]
	FPUDP               Opt[bool]
	DSPPresent          Opt[bool]
	ICachePresent       Opt[bool]
	DCachePresent       Opt[bool]
	ITCMPresent         Opt[bool]
	DTCMPresent         Opt[bool]
	VTORPresent         Opt[bool]
	NVICPrioBits        Opt[uint32]
	VendorSystickConfig Opt[bool]
	DeviceNumInterrupts Opt[uint32]
	SAUNumRegions       Opt[uint32]
	SAURegionsConfig    *SAURegionsConfig
	PMUPresent          Opt[bool]   // CMSIS-SVD 1.3.9
	PMUNumEventCnt      Opt[uint32] // CMSIS-SVD 1.3.9
}

// SAURegionsConfig is the cpu's sauRegionsConfig.
type SAURegionsConfig struct {
	Pos                    Pos
	Enabled                Opt[bool]
	ProtectionWhenDisabled Opt[Protection]
	Regions                []SAURegion
}

// SAURegion is one region of sauRegionsConfig.
type SAURegion struct {
	Pos     Pos
	Enabled Opt[bool]
	Name    string
	Base    uint64
	Limit   uint64
	Access  string // "n" or "c"
}

// AddressBlock is a range of a peripheral's address space.
type AddressBlock struct {
	Pos        Pos
	Offset     uint64
	Size       uint64
	Usage      string // registers, buffer, reserved
	Protection Opt[Protection]
}

// Interrupt is one interrupt line a peripheral raises.
type Interrupt struct {
	Pos         Pos
	Name        string
	Description string
	Value       int64
}

// Peripheral is one peripheral instance (or, with Dim, an array of them before Resolve).
type Peripheral struct {
	Pos                 Pos
	DerivedFrom         string
	Dim                 Dim
	Name                string
	Version             string
	Description         string
	AlternatePeripheral string
	GroupName           string
	PrependToName       string
	AppendToName        string
	HeaderStructName    string
	DisableCondition    string
	BaseAddress         uint64
	Props               RegisterProperties
	baseSet             bool        // <baseAddress> was given
	rstate              uint8       // Resolve's progress, see resolve.go
	arrayHead           *Peripheral // first copy of the peripheral array this one came from
	AddressBlocks       []AddressBlock
	Interrupts          []Interrupt
	// Registers holds the peripheral's *Register and *Cluster children in document order.
	Registers []RegisterNode
	// HasRegisters says whether a <registers> element was present (it may be empty); a
	// derived peripheral without one takes its source's registers.
	HasRegisters bool

	// Derived is set by Resolve when this peripheral took its registers from another: the
	// source peripheral in the resolved device. Generators let both share one type.
	Derived *Peripheral
}

// RegisterNode is a *Register or a *Cluster.
type RegisterNode interface {
	// Elem returns the part common to registers and clusters.
	Elem() *Element
}

// Element is the part of a register or cluster common to both.
type Element struct {
	Pos           Pos
	DerivedFrom   string
	Dim           Dim
	Name          string
	Description   string
	AddressOffset uint64
	Props         RegisterProperties

	offsetSet bool  // <addressOffset> was given (a derived element may take its source's)
	rstate    uint8 // Resolve's progress: 0 untouched, 1 in progress, 2 done
}

// Elem returns e itself; it makes *Register and *Cluster RegisterNodes.
func (e *Element) Elem() *Element { return e }

// Cluster is a group of registers (and clusters) at an offset, possibly an array.
type Cluster struct {
	Element
	AlternateCluster string
	HeaderStructName string
	// Children holds *Register and *Cluster nodes in document order.
	Children []RegisterNode
}

// Register is one register, possibly an array.
type Register struct {
	Element
	DisplayName         string
	AlternateGroup      string
	AlternateRegister   string
	DataType            string
	ModifiedWriteValues ModifiedWriteValues
	WriteConstraint     *WriteConstraint
	ReadAction          ReadAction
	Fields              []*Field
	// HasFields says whether a <fields> element was present.
	HasFields bool
}

// Field is a bit range of a register. After Resolve, BitOffset and BitWidth are set however
// the SVD spelt the range, and fields with dim are expanded into one Field per copy.
type Field struct {
	Pos                 Pos
	DerivedFrom         string
	Dim                 Dim
	Name                string
	Description         string
	BitOffset           uint32
	BitWidth            uint32
	Access              Opt[Access]
	ModifiedWriteValues ModifiedWriteValues
	WriteConstraint     *WriteConstraint
	ReadAction          ReadAction
	EnumeratedValues    []*EnumeratedValues // at most one per usage

	rangeSet bool  // a bit range was given in some spelling
	offSet   bool  // bitOffset (or lsb) alone was given: a derived field may take the width
	widthSet bool  // bitWidth alone was given
	rstate   uint8 // Resolve's progress: 0 untouched, 1 in progress, 2 done
}

// EnumeratedValues is a named set of values a field may take.
type EnumeratedValues struct {
	Pos            Pos
	DerivedFrom    string
	Name           string
	HeaderEnumName string
	Usage          EnumUsage
	Values         []*EnumeratedValue

	rstate uint8 // Resolve's progress: 0 untouched, 1 in progress, 2 done
}

// EnumeratedValue is one value of an enumeration. A value written with don't-care bits
// ("#1x0x") matches every v with v&Mask == Value; for plain numbers Mask has every bit of the
// field set. IsDefault marks the entry that covers all values not listed.
type EnumeratedValue struct {
	Pos         Pos
	Name        string
	Description string
	Value       uint64
	Mask        uint64
	HasValue    bool
	IsDefault   bool
}
