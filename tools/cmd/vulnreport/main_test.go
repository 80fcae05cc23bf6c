package main

import (
	"bytes"
	"strings"
	"testing"
)

const stream = `{"config":{"scanner_version":"v1.10.0","go_version":"go1.26.8","scan_level":"symbol"}}
{"osv":{"id":"GO-1","summary":"std bug"}}
{"osv":{"id":"GO-2","summary":"module bug"}}
{"osv":{"id":"GO-3","summary":"imported only"}}
{"finding":{"osv":"GO-1","fixed_version":"v1.26.10","trace":[{"module":"stdlib","version":"v1.26.8",
  "package":"net/http","function":"Serve","receiver":"*Server"}]}}
{"finding":{"osv":"GO-1","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8",
  "package":"net/http"}]}}
{"finding":{"osv":"GO-2","fixed_version":"v0.3.8","trace":[{"module":"golang.org/x/text","version":"v0.3.7",
  "package":"golang.org/x/text/language","function":"Parse"}]}}
{"finding":{"osv":"GO-3","trace":[{"module":"example.com/m","version":"v1.0.0","package":"example.com/m/p"}]}}
`

func TestReport(t *testing.T) {
	t.Parallel()
	vulns, cfg, err := read(strings.NewReader(stream))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if n := report(&out, vulns, cfg, false); n != 1 {
		t.Errorf("failing = %d, want 1 (the called module vulnerability)\n%s", n, out.String())
	}
	for _, want := range []string{"FAIL  GO-2", "STD   GO-1", "calls net/http.Server.Serve", "info  GO-3",
		"Go 1.26.10 or newer"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if n := report(&bytes.Buffer{}, vulns, cfg, true); n != 2 {
		t.Errorf("with -fail-stdlib, failing = %d, want 2", n)
	}
}

func TestReadRejectsOtherInput(t *testing.T) {
	t.Parallel()
	if _, _, err := read(strings.NewReader(`{"osv":{"id":"GO-1"}}`)); err == nil {
		t.Error("read accepted a stream without a config message")
	}
}

func TestNewer(t *testing.T) {
	t.Parallel()
	if !newer("v1.26.10", "v1.26.9") || newer("v1.26.9", "v1.26.10") || !newer("v1.26.9", "") {
		t.Error("newer compares versions as text")
	}
}
