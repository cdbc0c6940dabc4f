package async

// Either is the result of Select: which future won (0 or 1) and its value.
type Either[A, B any] struct {
	Which int
	A     A
	B     B
}

// Select2 races two futures: the first to complete wins and the other is cancelled, which
// disarms what it armed (Go has no Drop, so this is explicit). If both are ready in the
// same poll, a wins.
type Select2[A, B any] struct {
	a Future[A]
	b Future[B]
}

// Select returns a future racing a and b.
func Select[A, B any](a Future[A], b Future[B]) *Select2[A, B] { return &Select2[A, B]{a: a, b: b} }

// Init sets s up to race a and b (no allocation: a Select2 kept in a task's fields, Init'ed
// for each race, in place of calling Select, which allocates). It first cancels the futures
// of the race s was set up for, if any (a no-op for those that completed or were cancelled),
// so that abandoning a race midway leaves nothing armed.
func (s *Select2[A, B]) Init(a Future[A], b Future[B]) {
	s.Cancel()
	s.a, s.b = a, b
}

// Poll polls a, then b.
func (s *Select2[A, B]) Poll(cx *Context) (Either[A, B], bool) {
	if v, ok := s.a.Poll(cx); ok {
		s.b.Cancel()
		return Either[A, B]{Which: 0, A: v}, true
	}
	if v, ok := s.b.Poll(cx); ok {
		s.a.Cancel()
		return Either[A, B]{Which: 1, B: v}, true
	}
	return Either[A, B]{}, false
}

// Cancel cancels both.
func (s *Select2[A, B]) Cancel() {
	if s.a != nil {
		s.a.Cancel()
	}
	if s.b != nil {
		s.b.Cancel()
	}
}

// Selected is the result of SelectAny: the index of the winner and its value.
type Selected[T any] struct {
	Index int
	Value T
}

// SelectAnyF races futures of one type (see SelectAny).
type SelectAnyF[T any] struct{ fs []Future[T] }

// SelectAny returns a future that completes with the first of fs to complete (the lowest
// index on a tie) and cancels all the others.
func SelectAny[T any](fs ...Future[T]) *SelectAnyF[T] { return &SelectAnyF[T]{fs: fs} }

// Init sets s up to race fs, a slice it keeps (no allocation), after cancelling the futures
// of its previous race, if any.
func (s *SelectAnyF[T]) Init(fs []Future[T]) {
	s.Cancel()
	s.fs = fs
}

// Poll polls each future in order.
func (s *SelectAnyF[T]) Poll(cx *Context) (Selected[T], bool) {
	for i, f := range s.fs {
		if v, ok := f.Poll(cx); ok {
			for j, g := range s.fs {
				if j != i {
					g.Cancel()
				}
			}
			return Selected[T]{Index: i, Value: v}, true
		}
	}
	return Selected[T]{}, false
}

// Cancel cancels them all.
func (s *SelectAnyF[T]) Cancel() {
	for _, f := range s.fs {
		f.Cancel()
	}
}

// Pair is the result of Join.
type Pair[A, B any] struct {
	A A
	B B
}

// Join2 waits for two futures (see Join).
type Join2[A, B any] struct {
	a            Future[A]
	b            Future[B]
	res          Pair[A, B]
	aDone, bDone bool
}

// Join returns a future that completes when both a and b have, with both values. Each is
// polled until it completes and not after.
func Join[A, B any](a Future[A], b Future[B]) *Join2[A, B] { return &Join2[A, B]{a: a, b: b} }

// Init sets j up to wait for a and b (no allocation), after cancelling whichever of its
// previous pair had not completed, if any.
func (j *Join2[A, B]) Init(a Future[A], b Future[B]) {
	j.Cancel()
	*j = Join2[A, B]{a: a, b: b}
}

// Poll polls whichever is not done yet.
func (j *Join2[A, B]) Poll(cx *Context) (Pair[A, B], bool) {
	if !j.aDone {
		j.res.A, j.aDone = j.a.Poll(cx)
	}
	if !j.bDone {
		j.res.B, j.bDone = j.b.Poll(cx)
	}
	return j.res, j.aDone && j.bDone
}

// Cancel cancels whichever is not done.
func (j *Join2[A, B]) Cancel() {
	if !j.aDone && j.a != nil {
		j.a.Cancel()
	}
	if !j.bDone && j.b != nil {
		j.b.Cancel()
	}
}

// JoinAllF waits for futures of one type (see JoinAll).
type JoinAllF[T any] struct {
	fs   []Future[T]
	res  []T
	done []bool
	left int
}

// JoinAll returns a future that completes when all of fs have, with their values in order.
func JoinAll[T any](fs ...Future[T]) *JoinAllF[T] {
	return &JoinAllF[T]{fs: fs, res: make([]T, len(fs)), done: make([]bool, len(fs)), left: len(fs)}
}

// Init sets j up to wait for fs, a slice it keeps, after cancelling those of its previous
// set that had not completed. It reuses j's result slices, allocating only if fs is longer
// than any set j waited for before.
func (j *JoinAllF[T]) Init(fs []Future[T]) {
	j.Cancel()
	n := len(fs)
	if cap(j.res) < n {
		j.res, j.done = make([]T, n), make([]bool, n)
	}
	j.res, j.done = j.res[:n], j.done[:n]
	var zero T
	for i := range j.res {
		j.res[i], j.done[i] = zero, false
	}
	j.fs, j.left = fs, n
}

// Poll polls those not done yet.
func (j *JoinAllF[T]) Poll(cx *Context) ([]T, bool) {
	for i, f := range j.fs {
		if j.done[i] {
			continue
		}
		if v, ok := f.Poll(cx); ok {
			j.res[i], j.done[i] = v, true
			j.left--
		}
	}
	return j.res, j.left == 0
}

// Cancel cancels those not done.
func (j *JoinAllF[T]) Cancel() {
	for i, f := range j.fs {
		if !j.done[i] {
			f.Cancel()
		}
	}
}
