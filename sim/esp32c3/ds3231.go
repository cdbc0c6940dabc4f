package esp32c3

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// DS3231 is a Maxim DS3231 real-time clock on the simulated I2C bus (7-bit address 0x68),
// after its datasheet (19-5170 rev 10), powered from VCC:
//
//   - registers 0x00..0x06 hold seconds, minutes, hours (24-hour, or 12-hour with the AM/PM
//     bit when bit 6 is set), day of week (1..7, its meaning is the user's), date, month with
//     the century bit, and year, all in BCD. They start at 01/01/00, day 1, 00:00:00 and
//     count virtual time: the countdown chain ticks once a second from reset and is reset
//     when the seconds register is written. A START copies the time into the user buffer
//     that reads return, so a multi-byte read is consistent;
//   - 0x0E control (reset 0x1C) and 0x0F status (reset 0x88: OSF set by the power-up,
//     EN32kHz): OSF, A1F and A2F are cleared by writing 0; BSY is read-only;
//   - 0x11..0x12 temperature, 0.25 °C in two's complement (MSB integer part, bits 7..6 of
//     the LSB the fraction), converted at reset, every 64 s and when CONV is written 1, which
//     sets BSY and CONV for the 125 ms conversion (tCONV, typical);
//   - the register pointer increments after each byte and wraps from 0x12 to 0x00.
//
// EOSC only matters on battery power, which is not modelled, so the clock always runs, as
// on VCC. The alarm registers (0x07..0x0D) and the aging offset (0x10) are kept as memory:
// alarms never set A1F/A2F and aging does not trim the clock; their first access is noted in
// the chip's log and in Notes, as is a write to a read-only register. The 32 kHz and SQW
// outputs are not modelled.
type DS3231 struct {
	mu    sync.Mutex
	notes deviceNotes

	regs     [0x13]byte
	user     [7]byte       // the time registers as of the last START
	secStart time.Duration // virtual time of the last seconds tick
	temp     float64       // the physical temperature, °C

	autoConv   int64         // index of the last automatic conversion (every 64 s) applied
	converting bool          // a conversion started with CONV is running
	convEnd    time.Duration // and ends then

	ptr    byte
	gotPtr bool
}

// DS3231 register addresses and bits.
const (
	dsControl = 0x0E
	dsStatus  = 0x0F
	dsAging   = 0x10
	dsTempMSB = 0x11
	dsTempLSB = 0x12

	dsConv = 1 << 5 // control
	dsOSF  = 1 << 7 // status
	dsBSY  = 1 << 2
	dsA2F  = 1 << 1
	dsA1F  = 1 << 0

	dsConvTime = 125 * time.Millisecond
	dsAutoConv = 64 * time.Second
)

// NewDS3231 returns a clock just powered up at 25 °C.
func NewDS3231() *DS3231 {
	d := &DS3231{temp: 25}
	d.notes.name = "DS3231"
	d.regs[3], d.regs[4], d.regs[5] = 1, 1, 1
	d.regs[dsControl] = 0x1C
	d.regs[dsStatus] = 0x88
	d.latchTemp()
	return d
}

// Attached implements I2CAttacher.
func (d *DS3231) Attached(now func() time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.update()
	d.notes.attach(now)
	d.secStart = d.notes.clock()
	d.autoConv = int64(d.secStart / dsAutoConv)
}

// SetTime sets the clock to t (to the second, 24-hour mode, day of week 1 for Sunday ..
// 7 for Saturday), as if it had been set before the test, and resets the countdown chain.
// OSF is left as it is.
func (d *DS3231) SetTime(t time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.update()
	d.secStart = d.notes.clock()
	dsEncode(d.regs[:7], t, false, byte(t.Weekday())+1)
}

// Time returns the time the clock keeps now.
func (d *DS3231) Time() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.update()
	return dsDecode(d.regs[:7])
}

// SetTemperature sets the die temperature in °C; the temperature registers take it at the
// next conversion.
func (d *DS3231) SetTemperature(c float64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.update()
	d.temp = c
}

// Register returns register reg as the master would read it now.
func (d *DS3231) Register(reg byte) byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.update()
	return d.regs[reg%0x13]
}

// Notes returns the notes about unmodelled registers, in order.
func (d *DS3231) Notes() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.notes.notes()
}

// update brings the clock and the temperature registers to the current virtual time.
func (d *DS3231) update() {
	now := d.notes.clock()
	if n := (now - d.secStart) / time.Second; n > 0 {
		t := dsDecode(d.regs[:7]).Add(n * time.Second)
		old := dsDecode(d.regs[:7])
		days := dayNumber(t) - dayNumber(old)
		dow := (int64(d.regs[3]&7)-1+days)%7 + 1
		if dow <= 0 {
			dow += 7
		}
		dsEncode(d.regs[:7], t, d.regs[2]&0x40 != 0, byte(dow))
		d.secStart += n * time.Second
	}
	if d.converting && now >= d.convEnd {
		d.converting = false
		d.latchTemp()
		d.regs[dsControl] &^= dsConv
		d.regs[dsStatus] &^= dsBSY
	}
	if k := int64(now / dsAutoConv); k > d.autoConv {
		d.autoConv = k
		d.latchTemp()
	}
}

func dayNumber(t time.Time) int64 {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// latchTemp stores the temperature in 0.25 °C steps, saturated to the registers' range.
func (d *DS3231) latchTemp() {
	q := int64(math.Round(d.temp * 4))
	q = max(-512, min(511, q))
	d.regs[dsTempMSB] = byte(int8(q >> 2))
	d.regs[dsTempLSB] = byte(q&3) << 6
}

func bcd(v int) byte   { return byte(v/10<<4 | v%10) }
func unbcd(b byte) int { return int(b>>4)*10 + int(b&0x0F) }
func dsHour(r byte) int {
	if r&0x40 == 0 {
		return unbcd(r & 0x3F)
	}
	h := unbcd(r&0x1F) % 12
	if r&0x20 != 0 {
		h += 12
	}
	return h
}

// dsDecode reads the seven time registers as a time.
func dsDecode(r []byte) time.Time {
	year := 2000 + unbcd(r[6])
	if r[5]&0x80 != 0 {
		year += 100
	}
	return time.Date(year, time.Month(unbcd(r[5]&0x1F)), unbcd(r[4]&0x3F), dsHour(r[2]),
		unbcd(r[1]&0x7F), unbcd(r[0]&0x7F), 0, time.UTC)
}

// dsEncode writes t into the seven time registers, in 12-hour mode if twelve.
func dsEncode(r []byte, t time.Time, twelve bool, dow byte) {
	r[0] = bcd(t.Second())
	r[1] = bcd(t.Minute())
	if twelve {
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		r[2] = 0x40 | bcd(h)
		if t.Hour() >= 12 {
			r[2] |= 0x20
		}
	} else {
		r[2] = bcd(t.Hour())
	}
	r[3] = dow
	r[4] = bcd(t.Day())
	y := t.Year() - 2000
	r[5] = bcd(int(t.Month()))
	if (y/100)%2 == 1 {
		r[5] |= 0x80
	}
	r[6] = bcd(((y % 100) + 100) % 100)
}

// Start implements I2CDevice: the time is copied into the user buffer.
func (d *DS3231) Start(read bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.update()
	copy(d.user[:], d.regs[:7])
	if !read {
		d.gotPtr = false
	}
	return true
}

// touch notes the registers kept as memory.
func (d *DS3231) touch(reg byte, write bool) {
	switch {
	case reg >= 0x07 && reg <= 0x0D:
		d.notes.note("alarm", "alarm registers (0x07..0x0D, first %#02x) are kept as memory: alarms never set A1F/A2F", reg)
	case reg == dsAging:
		d.notes.note("aging", "aging offset register 0x10 is kept as memory: it does not trim the clock")
	case write && (reg == dsTempMSB || reg == dsTempLSB):
		d.notes.note(fmt.Sprint("ro", reg), "register %#02x is read-only; the write is ignored", reg)
	}
}

// Write implements I2CDevice.
func (d *DS3231) Write(b byte) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.gotPtr {
		d.ptr, d.gotPtr = b%0x13, true
		if b >= 0x13 {
			d.notes.note(fmt.Sprint("ptr", b), "register address %#02x does not exist; the pointer wraps to %#02x", b, b%0x13)
		}
		return true
	}
	d.update()
	r := d.ptr
	d.touch(r, true)
	switch {
	case r == 0:
		d.regs[0] = b & 0x7F
		d.secStart = d.notes.clock() // writing the seconds resets the countdown chain
	case r < 7:
		d.regs[r] = b
	case r == dsControl:
		if b&dsConv != 0 && !d.converting && d.regs[dsStatus]&dsBSY == 0 {
			d.converting, d.convEnd = true, d.notes.clock()+dsConvTime
			d.regs[dsStatus] |= dsBSY
		}
		if d.converting {
			b |= dsConv
		}
		d.regs[dsControl] = b
	case r == dsStatus:
		keep := d.regs[dsStatus] & (b | ^byte(dsOSF|dsA1F|dsA2F)) // flags clear on 0, never set
		d.regs[dsStatus] = keep&^(1<<3) | b&(1<<3)                // EN32kHz is read/write
	case r == dsTempMSB || r == dsTempLSB:
	default:
		d.regs[r] = b
	}
	d.ptr = (d.ptr + 1) % 0x13
	return true
}

// Read implements I2CDevice.
func (d *DS3231) Read(ack bool) byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.update()
	r := d.ptr
	d.touch(r, false)
	var b byte
	if r < 7 {
		b = d.user[r]
	} else {
		b = d.regs[r]
	}
	d.ptr = (d.ptr + 1) % 0x13
	if d.ptr == 0 {
		copy(d.user[:], d.regs[:7]) // the buffer is refreshed when the pointer wraps to 0
	}
	return b
}

// Stop implements I2CDevice.
func (d *DS3231) Stop() {}
