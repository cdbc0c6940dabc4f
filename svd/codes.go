package svd

// Diagnostic codes. They are stable: tools and tests may match on them. The letter is the
// default (lenient) severity: E is an error, W a warning about something Resolve repaired or
// that looks wrong but leaves the device usable. Strict mode turns every W into an error and
// keeps the code. Where a rule has an SVDConv twin its message number is given, so users of
// SVDConv find their way.
//
// Lenient mode is tuned so that real vendor files resolve: of the 140 files of the test
// corpus only one (not well-formed XML) has errors. Everything a generator could not build
// on (unreadable XML, structure in the wrong place, a required value missing or not a
// number, numbers out of range, derivedFrom not found or cyclic, inconsistent arrays) is an
// error.
//
// Arrays are bounded by the address space their copies cover, not by their number (E210):
// from its start address, an array's copies, each at least one byte after the one before,
// must end within the 32-bit space (the 64-bit one for a peripheral based beyond it), so a
// 64 MiB window of 16,777,216 words resolves, as one node, while a dim of four billion words
// does not. A field array must end by bit 64. Peripheral arrays, expanded into one
// peripheral per copy, are also bounded by their number of copies and the expansion budget
// (E211).
//
//	code  sev  SVDConv  meaning; repair in lenient mode
//	E000  err           file cannot be read: missing, a directory, no permission
//	E001  err           XML not well-formed: truncated, mismatched tags, bad entity, stray '<'
//	E002  err           not a text file: control or NUL bytes (a binary file)
//	E003  err           file larger than MaxFileSize
//	E004  err           root element is not <device>
//	W005  warn          not UTF-8 and no Latin-1 declaration; read as Latin-1
//	W101  warn          unknown element, or a known one where it has no meaning; ignored
//	E102  err           structural element in the wrong place (<register> in <fields>, …),
//	                    or child elements where only text is allowed
//	E103  err           required element missing (name, baseAddress, addressOffset, bit range…)
//	W104  warn          element given twice; the first is used
//	E105  err           not a number where one is required
//	E106  err           number out of range: negative, beyond 64 bits, too big for its element
//	W107  warn          non-standard spelling read anyway (access "read", "0b1010", "TRUE")
//	W108  warn          unknown keyword; ignored (the value is inherited or defaulted)
//	E109  err           bit range malformed (bitRange syntax, msb < lsb, half of a pair)
//	W110  warn          unknown attribute; ignored
//	W111  warn          <field> directly in <register>; taken as if inside <fields>
//	W112  warn          character data between elements; ignored
//	W113  warn          resetValue/resetMask not a number; ignored (the inherited one applies)
//	W114  warn          empty <peripheral>, <register>, <cluster> or <field>; ignored
//	W115  warn          enumeratedValue without name or usable value; dropped
//	W116  warn          single-bit <bitRange> written [n] instead of [n:n]; read as [n:n]
//	E201  err  M206     derivedFrom target not found
//	E202  err           derivedFrom cycle (or self-reference)
//	E203  err           derivedFrom names an element of the wrong kind
//	W204  warn M207     "%s" in a name without <dim>; the placeholder is removed
//	W205  warn          <dim> on an element whose name has no "%s"; the index is appended
//	E206  err  M308     dimIndex entry count differs from dim
//	E207  err           dimIndex malformed
//	E208  err           dim without dimIncrement
//	E210  err           array whose copies reach beyond the 32-bit address space (a field array: bit 64)
//	E211  err           expansion would create more than 2^20 elements, or 65536 peripherals
//	W301  warn          register size given nowhere; the device width (or 32) is used
//	W302  warn M302     register size not 8, 16, 32 or 64; rounded up
//	W303  warn M324     field outside its register; clipped to the register, or dropped
//	W304  warn M338     fields overlap (a read-only and a write-only field may share bits)
//	W305  warn M339     registers overlap and neither is declared an alternate
//	W306  warn M344     register outside every addressBlock of its peripheral
//	W307  warn M335     enumerated value does not fit its field; dropped
//	W308  warn M382     reset value does not fit the register size
//	W309  warn M301     interrupt number used with different names (both names are kept)
//	W310  warn          interrupt name used with different numbers
//	W311  warn          duplicate name among siblings
//	W312  warn          field of width 0; dropped
//	W313  warn M367     field access incompatible with its register's access
//	W314  warn          writeConstraint range does not fit the field
//	W315  warn M352     addressBlocks of a peripheral overlap
//	W316  warn          enumerated value listed twice under different names
//	W317  warn          more than one enumeratedValues for the same usage
//	W318  warn          enumeratedValues without values
//	W319  warn M366     register array dimIncrement smaller than the register
//	W320  warn          resetValue has bits outside resetMask
//	W321  warn          cluster array whose cluster is larger than dimIncrement
const (
	CodeUnreadable     = "E000"
	CodeXML            = "E001"
	CodeBinary         = "E002"
	CodeTooLarge       = "E003"
	CodeRoot           = "E004"
	CodeEncoding       = "W005"
	CodeUnknownElem    = "W101"
	CodeMisplaced      = "E102"
	CodeMissing        = "E103"
	CodeDuplicate      = "W104"
	CodeBadNumber      = "E105"
	CodeRange          = "E106"
	CodeNonStandard    = "W107"
	CodeBadKeyword     = "W108"
	CodeBitRange       = "E109"
	CodeUnknownAttr    = "W110"
	CodeMisplacedField = "W111"
	CodeStrayText      = "W112"
	CodeBadReset       = "W113"
	CodeEmpty          = "W114"
	CodeBadEnumValue   = "W115"
	CodeBitRangeSingle = "W116"
	CodeNotFound       = "E201"
	CodeCycle          = "E202"
	CodeWrongKind      = "E203"
	CodeNoDim          = "W204"
	CodeNoPlacehold    = "W205"
	CodeDimCount       = "E206"
	CodeDimIndex       = "E207"
	CodeNoIncrement    = "E208"
	CodeDimTooLarge    = "E210"
	CodeTooMany        = "E211"
	CodeNoSize         = "W301"
	CodeOddSize        = "W302"
	CodeFieldOutside   = "W303"
	CodeFieldOverlap   = "W304"
	CodeRegOverlap     = "W305"
	CodeRegOutside     = "W306"
	CodeEnumFit        = "W307"
	CodeResetFit       = "W308"
	CodeIRQDup         = "W309"
	CodeIRQName        = "W310"
	CodeDupName        = "W311"
	CodeZeroWidth      = "W312"
	CodeAccess         = "W313"
	CodeConstraint     = "W314"
	CodeBlockOverlap   = "W315"
	CodeEnumDup        = "W316"
	CodeEnumUsage      = "W317"
	CodeEnumEmpty      = "W318"
	CodeDimStride      = "W319"
	CodeResetMask      = "W320"
	CodeClusterSize    = "W321"
)

// CodeInfo describes one diagnostic code.
type CodeInfo struct {
	Code    string
	SVDConv string // the SVDConv message number of the same rule, if any
	Summary string
}

// Codes lists every diagnostic code in order, with the same text as the table above.
var Codes = []CodeInfo{
	{CodeUnreadable, "", "file cannot be read: missing, a directory, no permission"},
	{CodeXML, "", "XML not well-formed: truncated, mismatched tags, bad entity, stray '<'"},
	{CodeBinary, "", "not a text file: control or NUL bytes (a binary file)"},
	{CodeTooLarge, "", "file larger than MaxFileSize"},
	{CodeRoot, "", "root element is not <device>"},
	{CodeEncoding, "", "not UTF-8 and no Latin-1 declaration; read as Latin-1"},
	{CodeUnknownElem, "", "unknown element, or a known one where it has no meaning; ignored"},
	{CodeMisplaced, "", "structural element in the wrong place (<register> in <fields>, …), or child elements where only text is allowed"},
	{CodeMissing, "", "required element missing (name, baseAddress, addressOffset, bit range…)"},
	{CodeDuplicate, "", "element given twice; the first is used"},
	{CodeBadNumber, "", "not a number where one is required"},
	{CodeRange, "", "number out of range: negative, beyond 64 bits, too big for its element"},
	{CodeNonStandard, "", "non-standard spelling read anyway (access \"read\", \"0b1010\", \"TRUE\")"},
	{CodeBadKeyword, "", "unknown keyword; ignored (the value is inherited or defaulted)"},
	{CodeBitRange, "", "bit range malformed (bitRange syntax, msb < lsb, half of a pair)"},
	{CodeUnknownAttr, "", "unknown attribute; ignored"},
	{CodeMisplacedField, "", "<field> directly in <register>; taken as if inside <fields>"},
	{CodeStrayText, "", "character data between elements; ignored"},
	{CodeBadReset, "", "resetValue/resetMask not a number; ignored (the inherited one applies)"},
	{CodeEmpty, "", "empty <peripheral>, <register>, <cluster> or <field>; ignored"},
	{CodeBadEnumValue, "", "enumeratedValue without name or usable value; dropped"},
	{CodeBitRangeSingle, "", "single-bit <bitRange> written [n] instead of [n:n]; read as [n:n]"},
	{CodeNotFound, "M206", "derivedFrom target not found"},
	{CodeCycle, "", "derivedFrom cycle (or self-reference)"},
	{CodeWrongKind, "", "derivedFrom names an element of the wrong kind"},
	{CodeNoDim, "M207", "\"%s\" in a name without <dim>; the placeholder is removed"},
	{CodeNoPlacehold, "", "<dim> on an element whose name has no \"%s\"; the index is appended"},
	{CodeDimCount, "M308", "dimIndex entry count differs from dim"},
	{CodeDimIndex, "", "dimIndex malformed"},
	{CodeNoIncrement, "", "dim without dimIncrement"},
	{CodeDimTooLarge, "", "array whose copies reach beyond the 32-bit address space (a field array: bit 64)"},
	{CodeTooMany, "", "expansion would create more than 2^20 elements, or 65536 peripherals"},
	{CodeNoSize, "", "register size given nowhere; the device width (or 32) is used"},
	{CodeOddSize, "M302", "register size not 8, 16, 32 or 64; rounded up"},
	{CodeFieldOutside, "M324", "field outside its register; clipped to the register, or dropped"},
	{CodeFieldOverlap, "M338", "fields overlap (a read-only and a write-only field may share bits)"},
	{CodeRegOverlap, "M339", "registers overlap and neither is declared an alternate"},
	{CodeRegOutside, "M344", "register outside every addressBlock of its peripheral"},
	{CodeEnumFit, "M335", "enumerated value does not fit its field; dropped"},
	{CodeResetFit, "M382", "reset value does not fit the register size"},
	{CodeIRQDup, "M301", "interrupt number used with different names (both names are kept)"},
	{CodeIRQName, "", "interrupt name used with different numbers"},
	{CodeDupName, "", "duplicate name among siblings"},
	{CodeZeroWidth, "", "field of width 0; dropped"},
	{CodeAccess, "M367", "field access incompatible with its register's access"},
	{CodeConstraint, "", "writeConstraint range does not fit the field"},
	{CodeBlockOverlap, "M352", "addressBlocks of a peripheral overlap"},
	{CodeEnumDup, "", "enumerated value listed twice under different names"},
	{CodeEnumUsage, "", "more than one enumeratedValues for the same usage"},
	{CodeEnumEmpty, "", "enumeratedValues without values"},
	{CodeDimStride, "M366", "register array dimIncrement smaller than the register"},
	{CodeResetMask, "", "resetValue has bits outside resetMask"},
	{CodeClusterSize, "", "cluster array whose cluster is larger than dimIncrement"},
}

// codeSeverity is the default severity of a code: its first letter.
func codeSeverity(code string) Severity {
	if code != "" && code[0] == 'E' {
		return Error
	}
	return Warning
}
