package critsec_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gohal/gohal/cmd/gohalvet/critsec"
)

func TestCritsec(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), critsec.Analyzer, "a")
}
