package async

// pollProtected polls until nothing is queued. A task that panics is removed and reported
// (reportPanic), and polling goes on with the others: the recover sits around the whole
// loop, not each poll, so it costs nothing per poll.
func (e *Executor) pollProtected() {
	for !e.pollUntilPanic() {
	}
}

// pollUntilPanic reports whether pollReady returned normally.
func (e *Executor) pollUntilPanic() (ok bool) {
	defer func() {
		if !ok {
			e.reportPanic(recover())
		}
	}()
	e.pollReady()
	return true
}
