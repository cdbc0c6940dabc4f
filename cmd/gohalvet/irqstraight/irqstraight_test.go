package irqstraight_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/gohal/gohal/cmd/gohalvet/irqstraight"
)

func TestIRQStraight(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), irqstraight.Analyzer, "a")
}
