package main

func main() { start(firmware) }
