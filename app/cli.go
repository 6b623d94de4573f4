// Package app joins the engine and the window, and carries the command
// line: ganvas with no command opens the studio window; train, sample and
// bench work headless, so training can run on another machine and be
// opened in the window later.
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// usage is what ganvas prints for -h or an unknown command.
const usage = `ganvas — a studio for making art with generative adversarial networks

Usage:
  ganvas [-run DIR] [-autostart]     open the studio window
  ganvas train -run DIR [flags]      train a GAN on a folder of images
  ganvas sample -run DIR -out FILE   generate images from a trained run
  ganvas sample -from IMG -out FILE  make an exported image again, pixel for pixel
  ganvas interpolate -from A -to B -out FILE.gif   walk the latent space between two images
  ganvas timelapse -run DIR -out FILE.gif          the run's sample grids as an animation
  ganvas eval -run DIR [-n 2048]     measure how close the generator is to its style
  ganvas bench [-model dcgan64]      measure training speed

Run 'ganvas COMMAND -h' for a command's flags.
`

// command is one subcommand of the command line.
type command struct {
	name string
	run  func(args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"train", trainCommand},
	{"sample", sampleCommand},
	{"interpolate", interpolateCommand},
	{"timelapse", timelapseCommand},
	{"eval", evalCommand},
	{"bench", benchCommand},
}

// errUsage marks an error whose message is the whole story: a bad flag or
// a missing path, said in one line.
var errUsage = errors.New("usage")

// Main runs ganvas with the command-line arguments (without the program
// name) and returns the process exit code. Errors are printed once, in one
// line, to stderr.
func Main(args []string) int {
	return dispatch(args, os.Stdout, os.Stderr)
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "-help" && args[0] != "--help" {
		err := openWindow(args, stdout)
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		default:
			fmt.Fprintf(stderr, "ganvas: %v\n", plain(err))
			return 1
		}
	}
	name := args[0]
	if name == "-h" || name == "-help" || name == "--help" || name == "help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		default:
			fmt.Fprintf(stderr, "ganvas %s: %v\n", name, plain(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "ganvas: unknown command %q; run 'ganvas -h' for the list\n", name)
	return 2
}

// plain strips the package prefixes a wrapped error gathers on its way up,
// which mean something to a developer but not to the person at the prompt.
func plain(err error) string {
	msg := err.Error()
	for _, prefix := range []string{"engine: ", "run: ", "dataset: ", "nn: "} {
		msg = strings.ReplaceAll(msg, prefix, "")
	}
	return msg
}

// flags is a command's flag set. It reports a bad flag in one line instead
// of printing the whole usage, and prints the usage only for -h.
type flags struct {
	*flag.FlagSet
	synopsis string
	stdout   io.Writer
}

func newFlags(name, synopsis string, stdout io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flags{fs, synopsis, stdout}
}

// parse parses args, turning a flag error into a one-line usage error.
func parse(fs *flags, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(fs.stdout, "Usage: ganvas %s %s\n\nFlags:\n", fs.Name(), fs.synopsis)
			fs.SetOutput(fs.stdout)
			fs.PrintDefaults()
			return err
		}
		return fmt.Errorf("%v (run 'ganvas %s -h' for the flags)", err, fs.Name())
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (run 'ganvas %s -h' for the flags)", fs.Arg(0), fs.Name())
	}
	return nil
}
