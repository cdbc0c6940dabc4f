// Package volatile declares the part of TinyGo's runtime/volatile that gohal's firmware
// packages may use, with TinyGo's signatures, so the tinygo-tagged files can be type-checked
// without TinyGo. Bodies are compiler builtins in TinyGo; here they are declarations only.
// Note what is absent: TinyGo has no LoadUint64/StoreUint64.
package volatile

import "unsafe"

func LoadUint8(addr *uint8) (val uint8)
func LoadUint16(addr *uint16) (val uint16)
func LoadUint32(addr *uint32) (val uint32)
func LoadPointer(addr *unsafe.Pointer) (val unsafe.Pointer)
func StoreUint8(addr *uint8, val uint8)
func StoreUint16(addr *uint16, val uint16)
func StoreUint32(addr *uint32, val uint32)
func StorePointer(addr *unsafe.Pointer, val unsafe.Pointer)

type Register8 struct{ Reg uint8 }

func (r *Register8) Get() uint8
func (r *Register8) Set(value uint8)
func (r *Register8) SetBits(value uint8)
func (r *Register8) ClearBits(value uint8)
func (r *Register8) HasBits(value uint8) bool
func (r *Register8) ReplaceBits(value uint8, mask uint8, pos uint8)

type Register16 struct{ Reg uint16 }

func (r *Register16) Get() uint16
func (r *Register16) Set(value uint16)
func (r *Register16) SetBits(value uint16)
func (r *Register16) ClearBits(value uint16)
func (r *Register16) HasBits(value uint16) bool
func (r *Register16) ReplaceBits(value uint16, mask uint16, pos uint8)

type Register32 struct{ Reg uint32 }

func (r *Register32) Get() uint32
func (r *Register32) Set(value uint32)
func (r *Register32) SetBits(value uint32)
func (r *Register32) ClearBits(value uint32)
func (r *Register32) HasBits(value uint32) bool
func (r *Register32) ReplaceBits(value uint32, mask uint32, pos uint8)
