package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xyte-mcp/xyte-mcp/tools/internal/envnames"
)

func newChecker() *checker {
	return &checker{
		env: envnames.Set{
			Names:   map[string]bool{"XYTE_API_KEY": true, "XYTE_LOG_LEVEL": true, "ENABLE_ASYNC_TASKS": true},
			Aliases: map[string]string{"XYTE_ORG_API_KEY": "XYTE_API_KEY"},
		},
		pending: map[string]bool{},
		vars:    map[string]bool{},
	}
}

func write(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "multi-tenant.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHardenedMultiTenantPasses(t *testing.T) {
	t.Parallel()
	c := newChecker()
	c.file(write(t, `name: t
x-common: &common
  image: example/xyte-mcp:1
  user: "65532:65532"
  read_only: true
  tmpfs: [/tmp]
  cap_drop: [ALL]
  security_opt: ["no-new-privileges:true"]
services:
  server:
    <<: *common
    environment:
      XYTE_LOG_LEVEL: ${XYTE_LOG_LEVEL:-info}
    ports: ["${XYTE_PUBLISH:-127.0.0.1:8080}:8080"]
`))
	if len(c.failures) > 0 {
		t.Errorf("failures: %v", c.failures)
	}
	if !c.vars["XYTE_PUBLISH"] || !c.vars["XYTE_LOG_LEVEL"] {
		t.Errorf("interpolated variables = %v", c.vars)
	}
}

func TestFindings(t *testing.T) {
	t.Parallel()
	c := newChecker()
	c.file(write(t, `name: t
services:
  server:
    image: example/xyte-mcp:1
    entrypoint: ["/bin/sh"]
    environment:
      XYTE_API_KEY: literal-key
      XYTE_LOGLEVEL: debug
    ports: ["8080:8080"]
    depends_on:
      db: {condition: service_started}
`))
	got := strings.Join(c.failures, "\n")
	for _, want := range []string{"entrypoint", "literal value", "XYTE_LOGLEVEL", "loopback",
		"depends_on db", "multi-tenant, but sets an organization"} {
		if !strings.Contains(got, want) {
			t.Errorf("no failure mentions %q:\n%s", want, got)
		}
	}
}

func TestUnknownKeyIsRefused(t *testing.T) {
	t.Parallel()
	if _, _, err := decode(write(t, "name: t\nservices:\n  s:\n    image: x\n    readonly: true\n")); err == nil {
		t.Error("decode accepted the unknown key readonly")
	}
}
