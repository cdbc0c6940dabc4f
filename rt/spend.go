package rt

// Spend declares that the caller has just computed for about cycles core cycles, as the
// chip would count them (rt.Cycles). On the chip it busy-waits until the cycle counter has
// advanced that far since the call, so that firmware tested with it on the simulator times
// the same there; on the simulator (the host) it charges the calling core cycles of virtual
// time, deterministically: events due in between happen at their times and interrupts are
// taken as they fall due (rt/host, section "CPU time"). Firmware calls it after, or inside,
// computation that touches no register, whose cost the simulator otherwise cannot see: the
// simulated core is charged only for register accesses unless the run measures host CPU
// time (sim/simrun's -cpu measured).
//
// On TinyGo targets without a cycle counter in rt it does nothing.
func Spend(cycles uint32) { spend(cycles) }
