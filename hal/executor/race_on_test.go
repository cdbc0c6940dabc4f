//go:build !tinygo && race

package executor_test

const raceEnabled = true
