package main

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// projectRules checks what this project's images must hold beyond
// BuildKit's rules. The final stage:
//   - starts FROM scratch or a distroless static image;
//   - runs as the numeric non-root USER 65532:65532;
//   - has ENTRYPOINT ["/xyte-mcp"] and CMD ["serve"] in exec form, so that
//     one image serves every subcommand and charts need no command;
//   - EXPOSEs 8080 and sets XYTE_LISTEN=0.0.0.0:8080;
//   - copies a CA bundle to /etc/ssl/certs/ca-certificates.crt;
//   - declares no VOLUME and no shell-form HEALTHCHECK (there is no shell).
//
// A stage that runs `go build` builds a static, reproducible binary with the
// version stamped: CGO_ENABLED=0, -trimpath and the three -X flags.
func projectRules(name string, dt []byte) []string {
	res, err := parser.Parse(bytes.NewReader(dt))
	if err != nil {
		return []string{fmt.Sprintf("%s: parse: %v", name, err)}
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return []string{fmt.Sprintf("%s: parse: %v", name, err)}
	}
	if len(stages) == 0 {
		return []string{name + ": no stage"}
	}
	var out []string
	fail := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("%s: project rule: %s", name, fmt.Sprintf(format, args...)))
	}
	final := stages[len(stages)-1]
	checkFinal(final, fail)
	for _, st := range stages {
		checkBuild(st, fail)
	}
	return out
}

func checkFinal(st instructions.Stage, fail func(string, ...any)) {
	if st.BaseName != "scratch" && !strings.HasPrefix(st.BaseName, "gcr.io/distroless/static") {
		fail("the final stage must be FROM scratch or distroless static, not %s", st.BaseName)
	}
	var user, listen string
	var entry, cmd *instructions.ShellDependantCmdLine
	exposed, certs := false, false
	for _, c := range st.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EntrypointCommand:
			entry = &c.ShellDependantCmdLine
		case *instructions.CmdCommand:
			cmd = &c.ShellDependantCmdLine
		case *instructions.ExposeCommand:
			exposed = exposed || slices.Contains(c.Ports, "8080") || slices.Contains(c.Ports, "8080/tcp")
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				if kv.Key == "XYTE_LISTEN" {
					listen = kv.Value
				}
			}
		case *instructions.CopyCommand:
			certs = certs || c.DestPath == "/etc/ssl/certs/ca-certificates.crt"
		case *instructions.VolumeCommand:
			fail("VOLUME %v: let the runtime mount volumes; an image VOLUME makes anonymous ones", c.Volumes)
		case *instructions.HealthCheckCommand:
			if c.Health != nil && len(c.Health.Test) > 0 && c.Health.Test[0] == "CMD-SHELL" {
				fail("HEALTHCHECK in shell form: the image has no shell")
			}
		}
	}
	if !regexp.MustCompile(`^[1-9][0-9]*:[1-9][0-9]*$`).MatchString(user) {
		fail("USER %q: must be a numeric non-root uid:gid such as 65532:65532", user)
	}
	if entry == nil || entry.PrependShell || !slices.Equal(entry.CmdLine, []string{"/xyte-mcp"}) {
		fail(`ENTRYPOINT must be ["/xyte-mcp"] in exec form`)
	}
	if cmd == nil || cmd.PrependShell || !slices.Equal(cmd.CmdLine, []string{"serve"}) {
		fail(`CMD must be ["serve"] in exec form`)
	}
	if !exposed {
		fail("EXPOSE 8080 is missing")
	}
	if listen != "0.0.0.0:8080" {
		fail("ENV XYTE_LISTEN=0.0.0.0:8080 is missing (got %q)", listen)
	}
	if !certs {
		fail("no CA bundle copied to /etc/ssl/certs/ca-certificates.crt")
	}
}

// checkBuild checks the flags of any `go build` in a stage.
func checkBuild(st instructions.Stage, fail func(string, ...any)) {
	for _, c := range st.Commands {
		run, ok := c.(*instructions.RunCommand)
		if !ok {
			continue
		}
		line := strings.Join(run.CmdLine, " ")
		if !strings.Contains(line, "go build") {
			continue
		}
		for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "-X main.version=", "-X main.commit=",
			"-X main.date="} {
			if !strings.Contains(line, want) {
				fail("stage %q: go build without %s", st.Name, want)
			}
		}
	}
}
