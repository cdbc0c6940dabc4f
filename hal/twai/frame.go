package twai

import "github.com/gohal/gohal/internal/itoa"

// Identifier limits.
const (
	MaxStandardID = 0x7FF      // 11 bits
	MaxExtendedID = 0x1FFFFFFF // 29 bits
)

// Frame is a CAN 2.0 frame: a standard (11-bit) or extended (29-bit) identifier, a data
// frame with DLC bytes of Data (0..8), or a remote frame asking for DLC bytes.
type Frame struct {
	ID       uint32
	Extended bool
	Remote   bool
	DLC      uint8
	Data     [8]byte
}

// StandardFrame returns a data frame with an 11-bit identifier and up to 8 bytes.
func StandardFrame(id uint32, data []byte) (Frame, error) { return newFrame(id, false, data) }

// ExtendedFrame returns a data frame with a 29-bit identifier and up to 8 bytes.
func ExtendedFrame(id uint32, data []byte) (Frame, error) { return newFrame(id, true, data) }

// RemoteFrame returns a remote frame asking for dlc (0..8) bytes.
func RemoteFrame(id uint32, extended bool, dlc int) (Frame, error) {
	f := Frame{ID: id, Extended: extended, Remote: true, DLC: uint8(dlc)}
	if dlc < 0 || dlc > 8 {
		return Frame{}, &frameError{"twai: remote frame DLC " + itoa.Itoa(dlc) + " is out of range 0..8"}
	}
	return f, f.check()
}

func newFrame(id uint32, extended bool, data []byte) (Frame, error) {
	if len(data) > 8 {
		return Frame{}, &frameError{"twai: " + itoa.Itoa(len(data)) + " data bytes: a CAN 2.0 frame carries at most 8"}
	}
	f := Frame{ID: id, Extended: extended, DLC: uint8(len(data))}
	copy(f.Data[:], data)
	return f, f.check()
}

// Payload returns the frame's data bytes (none for a remote frame).
func (f *Frame) Payload() []byte {
	if f.Remote {
		return nil
	}
	return f.Data[:min(f.DLC, 8)]
}

func (f *Frame) check() error {
	if f.Extended && f.ID > MaxExtendedID {
		return &frameError{"twai: extended identifier 0x" + hex(uint64(f.ID)) + " is above 0x1FFFFFFF (29 bits)"}
	}
	if !f.Extended && f.ID > MaxStandardID {
		return &frameError{"twai: standard identifier 0x" + hex(uint64(f.ID)) + " is above 0x7FF (11 bits): set Extended for a 29-bit one"}
	}
	if f.DLC > 8 {
		return &frameError{"twai: DLC " + itoa.Itoa(int(f.DLC)) + " is above 8"}
	}
	return nil
}

// encode writes f in the TX buffer's layout (SJA1000 PeliCAN): the frame information byte
// (FF b7, RTR b6, DLC b3:0), the identifier in 2 (standard: ID10..3, ID2..0 in b7:5) or 4
// bytes (ID28..21, ID20..13, ID12..5, ID4..0 in b7:3), then the data. It returns the length.
func (f *Frame) encode(b *[13]byte) int {
	b[0] = f.DLC & 0x0F
	if f.Extended {
		b[0] |= 0x80
	}
	if f.Remote {
		b[0] |= 0x40
	}
	d := 3
	if f.Extended {
		b[1], b[2], b[3], b[4] = byte(f.ID>>21), byte(f.ID>>13), byte(f.ID>>5), byte(f.ID<<3)
		d = 5
	} else {
		b[1], b[2] = byte(f.ID>>3), byte(f.ID<<5)
	}
	if f.Remote {
		return d
	}
	n := int(min(f.DLC, 8))
	copy(b[d:d+n], f.Data[:n])
	return d + n
}

// decode reads a frame in the RX buffer's layout (as encode writes it).
func decode(b *[13]byte) Frame {
	f := Frame{Extended: b[0]&0x80 != 0, Remote: b[0]&0x40 != 0, DLC: b[0] & 0x0F}
	d := 3
	if f.Extended {
		f.ID = uint32(b[1])<<21 | uint32(b[2])<<13 | uint32(b[3])<<5 | uint32(b[4])>>3
		d = 5
	} else {
		f.ID = uint32(b[1])<<3 | uint32(b[2])>>5
	}
	if !f.Remote {
		n := int(min(f.DLC, 8))
		copy(f.Data[:n], b[d:d+n])
	}
	return f
}

// hex formats v in upper-case hexadecimal (no prefix).
func hex(v uint64) string {
	var b [16]byte
	i := len(b)
	for {
		i--
		b[i] = "0123456789ABCDEF"[v&15]
		v >>= 4
		if v == 0 {
			return string(b[i:])
		}
	}
}
