// Command hello stands in for registry-mcp in the image builder's tests: it
// is quick to cross-compile and prints the values the linker stamped in.
package main

import "fmt"

var version, commit, date string

func main() { fmt.Println(version, commit, date) }
