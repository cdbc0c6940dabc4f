package twai

// FilterMode is how the acceptance filter's four code and mask bytes are used.
type FilterMode uint8

const (
	// FilterAcceptAll lets every frame through (the zero Filter).
	FilterAcceptAll FilterMode = iota
	// FilterSingle: one filter over the whole identifier (and, for standard frames, the
	// first two data bytes). MODE.RX_FILTER_MODE = 1.
	FilterSingle
	// FilterDual: two filters, a frame passes if either takes it; standard frames are
	// compared on the identifier (filter 1 also on the first data byte), extended ones on
	// identifier bits 28..13 only. MODE.RX_FILTER_MODE = 0.
	FilterDual
)

// Filter is the acceptance filter: the acceptance code (DATA_0..3 in reset mode) and mask
// (DATA_4..7; a 1 bit is "don't care") in the SJA1000 PeliCAN layout, laid out by Mode.
// Build one with SingleStandard, SingleExtended, DualStandard or DualExtended, or fill Code
// and Mask yourself.
//
// As on the chip (and as esp-hal warns), the filter compares bits, not frame types: on a
// bus with both standard and extended frames, a filter built for one kind may pass frames
// of the other; check the identifier of what you receive.
type Filter struct {
	Mode FilterMode
	Code [4]byte
	Mask [4]byte
	err  string // a constructor's error, reported by New
}

// The constructors take a mask whose 1 bits must match id (0 bits: don't care).

// SingleStandard passes standard frames whose identifier matches id on the bits set in
// mask (0x7FF: exactly id), data or remote, whatever their data.
func SingleStandard(id, mask uint32) Filter {
	f := Filter{Mode: FilterSingle}
	if id > MaxStandardID || mask > MaxStandardID {
		f.err = "twai: SingleStandard: id 0x" + hex(uint64(id)) + " or mask 0x" + hex(uint64(mask)) + " is above 0x7FF (11 bits)"
		return f
	}
	f.Code = [4]byte{byte(id >> 3), byte(id << 5), 0, 0}
	f.Mask = [4]byte{^byte(mask >> 3), ^byte(mask<<5) | 0x1F, 0xFF, 0xFF}
	return f
}

// SingleExtended passes extended frames whose 29-bit identifier matches id on the bits set
// in mask, data or remote.
func SingleExtended(id, mask uint32) Filter {
	f := Filter{Mode: FilterSingle}
	if id > MaxExtendedID || mask > MaxExtendedID {
		f.err = "twai: SingleExtended: id 0x" + hex(uint64(id)) + " or mask 0x" + hex(uint64(mask)) + " is above 0x1FFFFFFF (29 bits)"
		return f
	}
	c, m := id<<3, ^(mask << 3)
	f.Code = [4]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)}
	f.Mask = [4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m) | 0x07}
	return f
}

// DualStandard passes standard frames matching either id1 under mask1 or id2 under mask2.
func DualStandard(id1, mask1, id2, mask2 uint32) Filter {
	f := Filter{Mode: FilterDual}
	if id1|mask1|id2|mask2 > MaxStandardID {
		f.err = "twai: DualStandard: an id or mask is above 0x7FF (11 bits)"
		return f
	}
	f.Code = [4]byte{byte(id1 >> 3), byte(id1 << 5), byte(id2 >> 3), byte(id2 << 5)}
	f.Mask = [4]byte{^byte(mask1 >> 3), ^byte(mask1<<5) | 0x1F, ^byte(mask2 >> 3), ^byte(mask2<<5) | 0x1F}
	return f
}

// DualExtended passes extended frames matching either id1 under mask1 or id2 under mask2,
// on identifier bits 28..13 only (the hardware compares no more in dual mode): a mask
// with any of bits 12..0 set is an error.
func DualExtended(id1, mask1, id2, mask2 uint32) Filter {
	f := Filter{Mode: FilterDual}
	if id1|mask1|id2|mask2 > MaxExtendedID {
		f.err = "twai: DualExtended: an id or mask is above 0x1FFFFFFF (29 bits)"
		return f
	}
	if (mask1|mask2)&0x1FFF != 0 {
		f.err = "twai: DualExtended compares identifier bits 28..13 only: the masks ask for bits 12..0 (0x" +
			hex(uint64((mask1|mask2)&0x1FFF)) + "); clear them, or use SingleExtended"
		return f
	}
	f.Code = [4]byte{byte(id1 >> 21), byte(id1 >> 13), byte(id2 >> 21), byte(id2 >> 13)}
	f.Mask = [4]byte{^byte(mask1 >> 21), ^byte(mask1 >> 13), ^byte(mask2 >> 21), ^byte(mask2 >> 13)}
	return f
}

func (f *Filter) check() error {
	if f.err != "" {
		return &configError{f.err}
	}
	if f.Mode > FilterDual {
		return cfgErr("Config.Filter.Mode is not FilterAcceptAll, FilterSingle or FilterDual")
	}
	return nil
}

// registers returns the code and mask bytes to write (accept-all: every bit don't care).
func (f *Filter) registers() (code, mask [4]byte) {
	if f.Mode == FilterAcceptAll {
		return [4]byte{}, [4]byte{0xFF, 0xFF, 0xFF, 0xFF}
	}
	return f.Code, f.Mask
}
