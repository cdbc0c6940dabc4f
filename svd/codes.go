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
//	code  sev  SVDConv  meaning; repair in lenient mode
//	E001  err  M103     XML not well-formed: truncated, mismatched tags, bad entity, stray '<'
//	E002  err  M104     not a text file: control or NUL bytes (a binary file)
//	E003  err           file larger than MaxFileSize
//	E004  err  M105     root element is not <device>
//	W005  warn          not UTF-8 and no Latin-1 declaration; read as Latin-1
//	W101  warn M106     unknown element, or a known one where it has no meaning; ignored
//	E102  err  M107     structural element in the wrong place (<register> in <fields>, …),
//	                    or child elements where only text is allowed
//	E103  err  M109     required element missing (name, baseAddress, addressOffset, bit range…)
//	W104  warn M108     element given twice; the first is used
//	E105  err  M110     not a number where one is required
//	E106  err  M111     number out of range: negative, beyond 64 bits, too big for its element
//	W107  warn          non-standard spelling read anyway (access "read", "0b1010", "TRUE")
//	W108  warn M112     unknown keyword; ignored (the value is inherited or defaulted)
//	E109  err  M113     bit range malformed (bitRange syntax, msb < lsb, half of a pair)
//	W110  warn          unknown attribute; ignored
//	W111  warn          <field> directly in <register>; taken as if inside <fields>
//	W112  warn          character data between elements; ignored
//	W113  warn          resetValue/resetMask not a number; ignored (the inherited one applies)
//	W114  warn          empty <peripheral>, <register>, <cluster> or <field>; ignored
//	E201  err  M206     derivedFrom target not found
//	E202  err  M207     derivedFrom cycle (or self-reference)
//	E203  err           derivedFrom names an element of the wrong kind
//	W204  warn M207     "%s" in a name without <dim>; the placeholder is removed
//	W205  warn          <dim> on an element whose name has no "%s"; the index is appended
//	E206  err  M308     dimIndex entry count differs from dim
//	E207  err  M309     dimIndex malformed
//	E208  err           dim without dimIncrement
//	E210  err           dim of more than 65536 copies
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
//	W311  warn M312     duplicate name among siblings
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
	CodeNotFound       = "E201"
	CodeCycle          = "E202"
	CodeWrongKind      = "E203"
	CodeNoDim          = "W204"
	CodeNoPlacehold    = "W205"
	CodeDimCount       = "E206"
	CodeDimIndex       = "E207"
	CodeNoIncrement    = "E208"
	CodeDimTooLarge    = "E210"
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

// codeSeverity is the default severity of a code: its first letter.
func codeSeverity(code string) Severity {
	if code != "" && code[0] == 'E' {
		return Error
	}
	return Warning
}
