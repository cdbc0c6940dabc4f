module github.com/gohal/gohal

go 1.23.0

require (
	github.com/beevik/etree v1.8.1 // indirect
	github.com/stretchr/testify v1.11.1 // indirect
	golang.org/x/tools v0.36.0 // indirect
)
