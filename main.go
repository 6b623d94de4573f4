// Command ganvas is a desktop studio for making art with generative
// adversarial networks. See README.md, or run 'ganvas -h'.
package main

import (
	"os"

	"ganvas/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:]))
}
