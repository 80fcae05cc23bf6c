package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at link time: -ldflags "-X main.version=... -X main.commit=... -X main.date=...".
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func init() {
	register("version", "print version, commit and build date", runVersion)
}

func runVersion(_ context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	c, d := buildInfo()
	_, err := fmt.Fprintf(e.stdout, "xyte-mcp %s (commit %s, built %s, %s)\n", version, c, d,
		runtime.Version())
	return err
}

// buildInfo returns the commit and date, from the linker flags or else from
// the VCS stamp Go records in the binary.
func buildInfo() (string, string) {
	c, d := commit, date
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	if d == "" {
		d = "unknown"
	}
	return c, d
}
