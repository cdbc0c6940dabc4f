// Package boot holds what hal.Init does only if the program links it: the async time
// driver. hal/executor sets StartTimeDriver in its init, and every async program imports
// hal/executor (its executors are what poll the tasks). A program that does not — blocking
// drivers only — leaves it nil, so hal.Init refers to no time driver, no timer queue and
// no executor, and TinyGo's dead-code elimination drops them all.
package boot

import "github.com/gohal/gohal/rt"

// StartTimeDriver starts the async time driver (hal/systimer) at an interrupt priority;
// nil when the program has no executor.
var StartTimeDriver func(rt.Priority) error
