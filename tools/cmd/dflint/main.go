// Command dflint lints Dockerfiles with BuildKit's own rules (the checks of
// `docker build --check`), fully offline, plus the rules this project holds
// its images to, and checks that Dockerfile and Dockerfile.release end in the
// same final stage.
//
//	dflint Dockerfile Dockerfile.release          lint each file
//	dflint -same-final-stage Dockerfile Dockerfile.release
//
// Exit status: 0 clean, 1 findings, 2 the files cannot be read.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	"github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerui"
	digest "github.com/opencontainers/go-digest"
)

func main() {
	same := flag.Bool("same-final-stage", false,
		"check that the two files' final stages are identical instead of linting")
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 || (*same && len(files) != 2) {
		fmt.Fprintln(os.Stderr, "usage: dflint FILE... | dflint -same-final-stage A B")
		os.Exit(2)
	}
	var findings []string
	var err error
	if *same {
		findings, err = sameFinalStage(files[0], files[1])
	} else {
		for _, f := range files {
			var fs []string
			fs, err = lintFile(f)
			if err != nil {
				break
			}
			findings = append(findings, fs...)
			if len(fs) == 0 {
				fmt.Printf("%s: no findings (BuildKit rules and project rules)\n", f)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "dflint:", err)
		os.Exit(2)
	}
	for _, f := range findings {
		fmt.Println(f)
	}
	if len(findings) > 0 {
		os.Exit(1)
	}
}

// lintFile runs BuildKit's rules and the project's rules on one file.
func lintFile(name string) ([]string, error) {
	dt, err := os.ReadFile(name) // #nosec G304 G703 -- linting the files named on the command line is this tool's job
	if err != nil {
		return nil, err
	}
	findings, err := buildkitLint(name, dt)
	if err != nil {
		return nil, err
	}
	return append(findings, projectRules(name, dt)...), nil
}

// offlineResolver answers every base image lookup with a minimal image
// config, so that linting never contacts a registry.
type offlineResolver struct{}

func (offlineResolver) ResolveImageConfig(_ context.Context, ref string,
	_ sourceresolver.Opt) (string, digest.Digest, []byte, error) {
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:` +
		`/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":[]}}`)
	return ref, digest.FromBytes(cfg), cfg, nil
}

// buildkitLint runs every BuildKit check rule, experimental ones included.
func buildkitLint(name string, dt []byte) ([]string, error) {
	sm := llb.NewSourceMap(nil, name, "Dockerfile", dt)
	sm.Definition = &llb.Definition{}
	opt := dockerfile2llb.ConvertOpt{
		Config:       dockerui.Config{LinterConfig: &linter.Config{ExperimentalAll: true}},
		SourceMap:    sm,
		MetaResolver: offlineResolver{},
	}
	res, err := dockerfile2llb.DockerfileLint(context.Background(), dt, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []string
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		out = append(out, fmt.Sprintf("%s:%d: %s: %s (%s)", name, line, w.RuleName, w.Detail, w.URL))
	}
	if res.Error != nil {
		out = append(out, fmt.Sprintf("%s: build error: %s", name, res.Error.Message))
	}
	return out, nil
}

// finalStage returns the instructions of the last stage, each as its
// original text with whitespace runs collapsed.
func finalStage(name string) ([]string, error) {
	dt, err := os.ReadFile(name) // #nosec G304 G703 -- reading the files named on the command line is this tool's job
	if err != nil {
		return nil, err
	}
	res, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var stage []string
	for _, n := range res.AST.Children {
		if strings.EqualFold(n.Value, "from") {
			stage = nil
		}
		stage = append(stage, strings.Join(strings.Fields(n.Original), " "))
	}
	if len(stage) == 0 {
		return nil, fmt.Errorf("%s: no FROM", name)
	}
	return stage, nil
}

// sameFinalStage compares the final stages of a and b line by line.
func sameFinalStage(a, b string) ([]string, error) {
	sa, err := finalStage(a)
	if err != nil {
		return nil, err
	}
	sb, err := finalStage(b)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 0; i < len(sa) || i < len(sb); i++ {
		var la, lb string
		if i < len(sa) {
			la = sa[i]
		}
		if i < len(sb) {
			lb = sb[i]
		}
		if la != lb {
			out = append(out, fmt.Sprintf("final stages differ at instruction %d:\n  %s: %s\n  %s: %s",
				i+1, a, orNone(la), b, orNone(lb)))
		}
	}
	if len(out) == 0 {
		fmt.Printf("%s and %s: the final stages are identical (%d instructions)\n", a, b, len(sa))
	}
	return out, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
