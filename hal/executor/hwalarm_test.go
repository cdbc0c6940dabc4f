//go:build !tinygo

package executor_test

import (
	"sync/atomic"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/pac/esp32c3"
	st "github.com/gohal/gohal/pac/esp32c3/systimer"
	"github.com/gohal/gohal/rt"
)

// hwAlarm is a future on SYSTIMER comparator 0 (which the time driver leaves alone), shaped
// as esp-hal's async peripheral waits are: Poll arms the comparator and enables its
// interrupt; the handler disables the interrupt (INT_ENA) and wakes the waiter; the future
// completes when it sees the event (INT_RAW); Cancel disables the interrupt and the
// comparator, so nothing fires for a future nobody waits on.
type hwAlarm struct {
	target uint64 // in 16 MHz ticks
	armed  bool
}

var (
	hwAlarmWaker atomic.Uint32
	hwAlarmIRQs  atomic.Int32
)

const hwAlarmSource = rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0)

// bindHWAlarm binds comparator 0's interrupt on the current core at priority 1.
func bindHWAlarm() {
	hwAlarmIRQs.Store(0)
	rt.Bind(hwAlarmSource, onHWAlarm)
	rt.Enable(hwAlarmSource, 1)
}

func onHWAlarm() {
	hwAlarmIRQs.Add(1)
	esp32c3.SYSTIMER.INT_ENA.Modify(func(v st.INT_ENAValue) st.INT_ENAValue { return v.WithTARGET0_INT_ENA(false) })
	async.Waker(hwAlarmWaker.Load()).Wake()
}

func newHWAlarm(at async.Instant) *hwAlarm { return &hwAlarm{target: uint64(at) * 16} }

func (a *hwAlarm) Poll(cx *async.Context) (struct{}, bool) {
	s := esp32c3.SYSTIMER
	if a.armed && s.INT_RAW.Read().TARGET0_INT_RAW() {
		a.disarm()
		return struct{}{}, true
	}
	hwAlarmWaker.Store(uint32(cx.Waker()))
	if !a.armed {
		a.armed = true
		s.CONF.Modify(func(v st.CONFValue) st.CONFValue { return v.WithTARGET0_WORK_EN(false) })
		s.INT_CLR.Write(st.INT_CLRValue(0).WithTARGET0_INT_CLR(true))
		s.TARGET_CONF[0].Write(0)
		s.TARGET[0].HI.Write(st.TARGET_HIValue(a.target >> 32))
		s.TARGET[0].LO.Write(st.TARGET_LOValue(uint32(a.target)))
		s.COMP_LOAD[0].Write(st.COMP_LOADValue(0).WithTIMER_COMP_LOAD(true))
		s.CONF.Modify(func(v st.CONFValue) st.CONFValue { return v.WithTARGET0_WORK_EN(true) })
	}
	s.INT_ENA.Modify(func(v st.INT_ENAValue) st.INT_ENAValue { return v.WithTARGET0_INT_ENA(true) })
	return struct{}{}, false
}

func (a *hwAlarm) Cancel() {
	if a.armed {
		a.disarm()
	}
}

func (a *hwAlarm) disarm() {
	s := esp32c3.SYSTIMER
	s.INT_ENA.Modify(func(v st.INT_ENAValue) st.INT_ENAValue { return v.WithTARGET0_INT_ENA(false) })
	s.CONF.Modify(func(v st.CONFValue) st.CONFValue { return v.WithTARGET0_WORK_EN(false) })
	s.INT_CLR.Write(st.INT_CLRValue(0).WithTARGET0_INT_CLR(true))
	a.armed = false
}

// hwAlarmState reports comparator 0's interrupt enable and work enable.
func hwAlarmState() (intEna, workEn bool) {
	s := esp32c3.SYSTIMER
	return s.INT_ENA.Read().TARGET0_INT_ENA(), s.CONF.Read().TARGET0_WORK_EN()
}
