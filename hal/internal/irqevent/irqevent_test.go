package irqevent

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/pac/esp32c3"
)

// The tests use RMT's four interrupt registers, which off the simulator are plain memory:
// the test plays the hardware by writing INT_ST and INT_RAW itself.
var rmt = esp32c3.RMT

const (
	rxBit, txBit, foreign = 1 << 0, 1 << 1, 1 << 5
)

func newBlock() *Block {
	rmt.INT_ENA.Write(0)
	rmt.INT_ST.Write(0)
	rmt.INT_RAW.Write(0)
	return &Block{
		Regs:   RegsOf(&rmt.INT_ENA, &rmt.INT_ST, &rmt.INT_CLR, &rmt.INT_RAW),
		Events: [MaxLanes]uint32{rxBit, txBit},
	}
}

// counter is a task that counts its polls: the executor polls it once per wake.
type counter struct{ polls int }

func (c *counter) Poll(*async.Context) bool { c.polls++; return false }

// twoTasks returns an executor with two counting tasks and their wakers, polled once.
func twoTasks(t *testing.T) (*async.Executor, [2]*counter, [2]async.Waker) {
	ex, err := async.New(async.Config{Tasks: 2})
	require.NoError(t, err)
	t.Cleanup(ex.Close)
	var cs [2]*counter
	var ws [2]async.Waker
	for i := range cs {
		cs[i] = &counter{}
		ws[i], err = ex.Spawner().Spawn(cs[i])
		require.NoError(t, err)
	}
	ex.Poll()
	return ex, cs, ws
}

func TestHandleDisablesWhatFiredAndWakesItsLanesOnly(t *testing.T) {
	b := newBlock()
	ex, tasks, ws := twoTasks(t)
	b.Arm(0, ws[0], rxBit, 0)
	b.Arm(1, ws[1], txBit, 0)
	rmt.INT_ENA.Write(rmt.INT_ENA.Read() | foreign) // another source sharing the register

	rmt.INT_ST.Write(rxBit | foreign)
	assert.Equal(t, uint32(rxBit), b.Handle(), "the foreign bit is not the block's")
	assert.Equal(t, uint32(txBit|foreign), uint32(rmt.INT_ENA.Read()), "only the lane's fired bit is disabled")
	ex.Poll()
	assert.Equal(t, [2]int{2, 1}, [2]int{tasks[0].polls, tasks[1].polls}, "only lane 0's task was woken")

	rmt.INT_ST.Write(0)
	assert.Zero(t, b.Handle(), "a spurious interrupt wakes nobody")
	ex.Poll()
	assert.Equal(t, [2]int{2, 1}, [2]int{tasks[0].polls, tasks[1].polls})
}

func TestWaitArmsThenSeesTheEventThenDisarms(t *testing.T) {
	b := newBlock()
	_, _, ws := twoTasks(t)
	cx := async.NewContext(ws[0])
	var w Wait
	rmt.INT_RAW.Write(rxBit) // stale from an earlier operation
	assert.False(t, w.Pending(b, 0, cx, rxBit, rxBit), "arming asks the caller to look again")
	assert.True(t, w.Armed())
	assert.Equal(t, uint32(rxBit), uint32(rmt.INT_ENA.Read()))
	// RAW stays set here (the test's memory has no write-1-to-clear), so model the clear.
	rmt.INT_RAW.Write(0)
	assert.True(t, w.Pending(b, 0, cx, rxBit, rxBit), "armed, nothing fired: pending")

	// The handler ran: the enable bit is gone.
	rmt.INT_ST.Write(rxBit)
	b.Handle()
	assert.False(t, w.Pending(b, 0, cx, rxBit, rxBit), "fired: look again")
	assert.False(t, w.Armed(), "and disarmed")

	// Fired before the handler could run (the future polled at the interrupt's priority).
	rmt.INT_ST.Write(0)
	w.Pending(b, 0, cx, rxBit, rxBit)
	rmt.INT_RAW.Write(rxBit)
	assert.False(t, w.Pending(b, 0, cx, rxBit, rxBit), "raw set: fired")
	assert.Zero(t, uint32(rmt.INT_ENA.Read())&rxBit, "disarm disabled the source")
}

func TestLaneClaimNamesTheHolder(t *testing.T) {
	var l Lane
	assert.Zero(t, l.Claim(3))
	assert.Equal(t, uint32(3), l.Claim(4), "the second claimant learns who holds the lane")
	assert.Equal(t, uint32(3), l.Holder())
	l.Release()
	assert.Zero(t, l.Claim(4))
}

func TestResetForgetsEverything(t *testing.T) {
	b := newBlock()
	_, _, ws := twoTasks(t)
	b.Arm(0, ws[0], rxBit, 0)
	b.Lanes[0].Claim(7)
	b.Reset(rxBit | txBit)
	assert.Zero(t, uint32(rmt.INT_ENA.Read()))
	assert.Zero(t, b.Lanes[0].Holder())
}

func TestHandlerPathDoesNotAllocate(t *testing.T) {
	b := newBlock()
	ex, _, ws := twoTasks(t)
	cx := async.NewContext(ws[0])
	var w Wait
	allocs := testing.AllocsPerRun(100, func() {
		w.Pending(b, 0, cx, rxBit, rxBit)
		rmt.INT_ST.Write(rxBit)
		b.Handle()
		rmt.INT_ST.Write(0)
		w.Pending(b, 0, cx, rxBit, rxBit)
		ex.Poll()
	})
	assert.Zero(t, allocs)
}
