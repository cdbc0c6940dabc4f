package a

//gohalvet:ignore-file armed this file tests the run-time detection of overwritten futures

import "github.com/gohal/gohal/async"

func deliberate(cx *async.Context) {
	tm := async.After(10)
	tm.Poll(cx)
	tm = async.After(20)
	_ = tm
}
