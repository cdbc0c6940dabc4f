package async_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/gohal/gohal/async"
	pac "github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/rt"
	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/stretchr/testify/require"
)

// fromCPU is FROM_CPU_INTRn (SYSTEM.CPU_INTR_FROM_CPU_n) as an executor's software interrupt.
type fromCPU int

func (n fromCPU) Raise() { pac.SYSTEM.CPU_INTR_FROM_CPU[n].Write(1) }
func (n fromCPU) Clear() { pac.SYSTEM.CPU_INTR_FROM_CPU[n].Write(0) }
func (n fromCPU) Bind(h func(), p rt.Priority) {
	src := rt.Source(sim.SourceFromCPU0) + rt.Source(n)
	rt.Bind(src, h)
	rt.Enable(src, p)
}

// flag is a future an interrupt handler completes; its state is shared under critical
// sections, as on the chip.
type flag struct {
	set   bool
	waker async.Waker
}

func (f *flag) Poll(cx *async.Context) (bool, bool) {
	cs := rt.EnterCritical()
	defer cs.Exit()
	if f.set {
		return true, true
	}
	f.waker = cx.Waker()
	return false, false
}

func (f *flag) Cancel() {}

func (f *flag) raise() {
	cs := rt.EnterCritical()
	f.set = true
	w := f.waker
	cs.Exit()
	w.Wake()
}

type journal struct{ entries []string }

func (j *journal) add(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	rt.Critical(func() { j.entries = append(j.entries, s) })
}

func where() string {
	return fmt.Sprintf("core=%d oncore=%v interrupt=%v", rt.CoreID(), rt.OnCore(), rt.InInterrupt())
}

// On the simulated ESP32-C3 a straight-line task runs as its executor's context: thread
// mode under the thread executor, a handler under an interrupt executor. Its register
// accesses are preemption points: the software interrupt it raises is taken right after the
// write, in the middle of the task, and a handler's wake resumes it.
func TestStraightLineTaskOnTheSimulator(t *testing.T) {
	var j journal
	err := sim.New(sim.Log(io.Discard)).Run(func() {
		thread, err := async.New(async.Config{Name: "thread", Tasks: 2})
		if err != nil {
			panic(err)
		}
		defer thread.Close()
		high, err := async.New(async.Config{Name: "high", Tasks: 1, Interrupt: fromCPU(3), Priority: 2,
			OnPanic: func(p async.TaskPanic) { j.add("interrupt executor refused: %v", p.Value) }})
		if err != nil {
			panic(err)
		}
		defer high.Close()

		woken := &flag{}
		fromCPU(1).Bind(func() {
			fromCPU(1).Clear()
			j.add("handler 1: %s", where())
		}, 1)
		fromCPU(2).Bind(func() {
			fromCPU(2).Clear()
			j.add("handler 2 wakes the task")
			woken.raise()
		}, 1)

		_, err = thread.Spawner().Spawn(async.GoNamed("straight", func(t *async.T) {
			j.add("task: %s", where())
			fromCPU(1).Raise() // taken right after this write
			j.add("task after raise: %s", where())
			start := rt.Cycles()
			for i := 0; i < 10; i++ {
				pac.SYSTEM.CPU_INTR_FROM_CPU[0].Read()
			}
			j.add("task: 10 register reads took %d cycles", rt.Cycles()-start)
			async.Await[bool](t, woken)
			j.add("task woken: %s", where())
			//gohalvet:ignore irqstraight the test checks that the executor refuses it at run time
			_, err := high.Spawner().Spawn(async.Go(func(t *async.T) {
				j.add("interrupt executor's task: %s", where())
				async.Await[bool](t, async.Ready[bool]{Value: true})
			}))
			if err != nil {
				panic(err)
			}
			j.add("task end")
		}))
		if err != nil {
			panic(err)
		}
		_, err = thread.Spawner().SpawnNamed("stackless", async.TaskFunc(func(*async.Context) bool {
			j.add("stackless raises 2")
			fromCPU(2).Raise()
			return true
		}), 0)
		if err != nil {
			panic(err)
		}
		thread.Run()
		j.add("executor done")
	})
	require.NoError(t, err)
	require.Equal(t, []string{
		"task: core=0 oncore=true interrupt=false",
		"handler 1: core=0 oncore=true interrupt=true",
		"task after raise: core=0 oncore=true interrupt=false",
		"task: 10 register reads took 80 cycles", // 50 ns of virtual time each, at 160 MHz
		"stackless raises 2",
		"handler 2 wakes the task",
		"task woken: core=0 oncore=true interrupt=false",
		// Spawning raised FROM_CPU_INTR3; a straight-line task cannot run in a handler on the
		// chip, and the simulator refuses it with the chip's message.
		"interrupt executor refused: async: async.Go task polled by an interrupt-mode executor, where no goroutine switch can happen: spawn it on a thread-mode executor",
		"task end",
		"executor done",
	}, j.entries)
}

// Regression (issue 13, defect 8): Poll on an interrupt-mode executor from thread mode let
// its handler re-enter the poll it preempted. It now panics at once, saying what to do.
func TestPollOnAnInterruptExecutorPanics(t *testing.T) {
	var got any
	err := sim.New(sim.Log(io.Discard)).Run(func() {
		high, err := async.New(async.Config{Name: "high", Tasks: 1, Interrupt: fromCPU(3), Priority: 2})
		if err != nil {
			panic(err)
		}
		defer high.Close()
		func() {
			defer func() { got = recover() }()
			high.Poll()
		}()
	})
	require.NoError(t, err)
	require.Equal(t, "async: Poll called on interrupt-mode executor high: its software interrupt polls it; wake a task (or raise the interrupt) instead", got)
}
