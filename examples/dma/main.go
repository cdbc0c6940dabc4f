// Command dma copies 4 KiB from one buffer to another with the GDMA (memory to memory,
// channel DMA_CH0), once blocking and once from a straight-line task woken by the channel's
// IN_SUC_EOF interrupt, checks the copies against the source's checksum and prints how long
// each took.
//
//	go run ./examples/dma                          # on the ESP32-C3 simulator, virtual time
//	tinygo build -target=esp32c3 ./examples/dma    # for the chip
//
// Output goes to UART0 (GPIO21) through hal/uart; on the host the simulator prints it. The
// simulator's GDMA moves a word every two 80 MHz cycles (a 4 KiB copy takes about 26 µs);
// Espressif's QEMU copies the whole chain the moment OUTLINK_START is written.
package main

func main() { start(firmware) }
