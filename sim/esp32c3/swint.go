package esp32c3

// The software interrupts (esp32c3-facts.md §2): SYSTEM.CPU_INTR_FROM_CPU_n bit 0 holds
// interrupt source 50+n at its level until software writes 0 again. Handlers must reset it.

func (s *system) fromCPUReg(off uintptr) (uint32, bool) {
	if off >= sysFromCPU0 && off < sysFromCPU0+16 {
		return s.fromCPU[(off-sysFromCPU0)/4], true
	}
	return 0, false
}

func (s *system) setFromCPU(n int, v uint32) {
	s.fromCPU[n] = v & 1 // only bit 0 exists
	s.c.SetSourceLevel(SourceFromCPU0+Source(n), v&1 != 0)
}
