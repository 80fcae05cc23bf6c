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
	info, _ := debug.ReadBuildInfo()
	return stamp(commit, date, info)
}

// stamp returns commit and date, each taken from info's VCS settings when it
// is empty, and "unknown" when neither says.
func stamp(commit, date string, info *debug.BuildInfo) (string, string) {
	if info != nil {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && commit == "":
				commit = s.Value
			case s.Key == "vcs.time" && date == "":
				date = s.Value
			}
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	return commit, date
}
