package periph

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClaimNamesTheOwnerAndReleaseFrees(t *testing.T) {
	ResetForTest()
	t.Cleanup(ResetForTest)
	require.NoError(t, Claim(KindPin, 5, "UART0 TX"))
	require.NoError(t, Claim(KindUART, 0, "uart.New(UART0)"))
	assert.Equal(t, "UART0 TX", Owner(KindPin, 5))
	assert.Equal(t, "uart.New(UART0)", Owner(KindUART, 0))
	assert.Empty(t, Owner(KindPin, 6))

	err := Claim(KindPin, 5, "gpio.Output")
	var inUse *InUseError
	require.ErrorAs(t, err, &inUse)
	assert.Equal(t, InUseError{Resource: "GPIO5", Owner: "UART0 TX", Wanted: "gpio.Output"}, *inUse)
	assert.Equal(t, "GPIO5 is already in use by UART0 TX (wanted by gpio.Output)", err.Error())

	Release(KindPin, 5)
	assert.Empty(t, Owner(KindPin, 5))
	require.NoError(t, Claim(KindPin, 5, "gpio.Output"))
	assert.Equal(t, "gpio.Output", Owner(KindPin, 5))
	assert.ErrorIs(t, Claim(KindPin, NumPins, "x"), ErrNoSuchResource)
}

// Owner names are kept once each, however many resources they hold; a claim whose name
// no longer fits still succeeds and still blocks a second claim, which names it generically.
func TestOwnerNamesAreSharedAndOverflowStillClaims(t *testing.T) {
	ResetForTest()
	t.Cleanup(ResetForTest)
	for pin := 0; pin < 8; pin++ {
		require.NoError(t, Claim(KindPin, pin, "ws2812 chain")) // one name, eight pins
	}
	for i := 0; i < maxOwnerNames-1; i++ { // fills the remaining names
		require.NoError(t, Claim(KindPin, 8+i%12, fmt.Sprintf("driver %d", i)))
		Release(KindPin, 8+i%12)
	}
	require.NoError(t, Claim(KindPin, 20, "one name too many"))
	assert.Equal(t, unnamedOwner, Owner(KindPin, 20))
	var inUse *InUseError
	require.ErrorAs(t, Claim(KindPin, 20, "gpio.Input"), &inUse)
	assert.Equal(t, unnamedOwner, inUse.Owner)
	for pin := 0; pin < 8; pin++ {
		assert.Equal(t, "ws2812 chain", Owner(KindPin, pin))
	}
	require.NoError(t, Claim(KindPin, 21, "driver 3"), "a kept name is found again")
	assert.Equal(t, "driver 3", Owner(KindPin, 21))

	ResetForTest()
	require.NoError(t, Claim(KindPin, 20, "one name too many"))
	assert.Equal(t, "one name too many", Owner(KindPin, 20), "ResetForTest forgets the names too")
}

func TestEmptyOwnerNameStillClaims(t *testing.T) {
	ResetForTest()
	t.Cleanup(ResetForTest)
	require.NoError(t, Claim(KindRNG, 0, ""))
	assert.Equal(t, unnamedOwner, Owner(KindRNG, 0))
	require.NoError(t, Claim(KindRWDT, 0, "wdt.Watchdog"))
	assert.Equal(t, "wdt.Watchdog", Owner(KindRWDT, 0))
}
