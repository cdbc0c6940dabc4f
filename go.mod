module github.com/gohal/gohal

go 1.23.0

require (
	github.com/stretchr/testify v1.11.1
	golang.org/x/tools v0.36.0
	tinygo.org/x/drivers v0.33.0
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/google/shlex v0.0.0-20191202100458-e7afc7fbc510 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	golang.org/x/mod v0.27.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
