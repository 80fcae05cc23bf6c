package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The repository's Dockerfiles, from this package's directory.
var (
	dockerfile = filepath.Join("..", "..", "..", "Dockerfile")
	release    = filepath.Join("..", "..", "..", "Dockerfile.release")
)

func TestRepositoryDockerfilesAreClean(t *testing.T) {
	t.Parallel()
	for _, f := range []string{dockerfile, release} {
		findings, err := lintFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(findings) > 0 {
			t.Errorf("%s:\n%s", f, strings.Join(findings, "\n"))
		}
	}
}

func TestRepositoryFinalStagesAgree(t *testing.T) {
	t.Parallel()
	diff, err := sameFinalStage(dockerfile, release)
	if err != nil {
		t.Fatal(err)
	}
	if len(diff) > 0 {
		t.Error(strings.Join(diff, "\n"))
	}
}

func TestFindings(t *testing.T) {
	t.Parallel()
	bad := `FROM golang:1.26 as Build
run CGO_ENABLED=1 go build -o /x .
FROM alpine
ENV SECRET_TOKEN=abc
USER app
ENTRYPOINT /x
`
	path := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	findings, err := lintFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(findings, "\n")
	for _, want := range []string{
		"StageNameCasing", "FromAsCasing", "ConsistentInstructionCasing", "SecretsUsedInArgOrEnv",
		"JSONArgsRecommended", "FROM scratch or distroless", `USER "app"`, "ENTRYPOINT must be",
		"CMD must be", "EXPOSE 8080", "XYTE_LISTEN", "CA bundle", "without CGO_ENABLED=0",
		"without -trimpath", "without -X main.version=",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no finding mentions %q; findings:\n%s", want, got)
		}
	}
}

func TestFinalStageDifference(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	_ = os.WriteFile(a, []byte("FROM x AS build\nFROM scratch\nUSER 1:1\nCMD [\"serve\"]\n"), 0o600)
	_ = os.WriteFile(b, []byte("FROM y AS build\nFROM scratch\nUSER 2:2\nCMD [\"serve\"]\n"), 0o600)
	diff, err := sameFinalStage(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(diff) != 1 || !strings.Contains(diff[0], "USER 1:1") || !strings.Contains(diff[0], "USER 2:2") {
		t.Errorf("diff = %q, want one difference naming both USER lines", diff)
	}
}
