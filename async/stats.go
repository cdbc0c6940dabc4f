package async

// TaskStats are a task's statistics: the polls so far, and the longest of them in CPU cycles
// (rt.Cycles), measured only by an executor made with Config.PollTimes (0 otherwise).
type TaskStats struct {
	Name        string
	Polls       uint32
	LongestPoll uint32
}

// Stats returns the statistics of task slot i (0..Tasks-1) and whether it holds a task.
// Read it from the executor's own context or after Run returned.
func (e *Executor) Stats(i int) (TaskStats, bool) {
	if i < 0 || i >= len(e.slots) {
		return TaskStats{}, false
	}
	return e.slots[i].stats, e.slots[i].sched.Load()&live != 0
}

// StatsOf returns the statistics of the task w wakes.
func (e *Executor) StatsOf(w Waker) TaskStats {
	if uint32(w)>>8 != uint32(e.id) || int(uint8(w)) >= len(e.slots) {
		return TaskStats{}
	}
	return e.slots[uint8(w)].stats
}

// Idle returns the fraction of cycles a thread-mode executor has spent in WaitForInterrupt
// since Run started (0 before, and for interrupt-mode executors).
func (e *Executor) Idle() float64 {
	total := e.cycles() - e.startCycles
	if total == 0 {
		return 0
	}
	return float64(e.idleCycles) / float64(total)
}

// IdleCycles returns the cycles spent in WaitForInterrupt and the cycles since Run started.
func (e *Executor) IdleCycles() (idle, total uint64) {
	return e.idleCycles, e.cycles() - e.startCycles
}
