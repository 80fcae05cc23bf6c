// Package observability holds the Grafana dashboard and Prometheus alert rules
// for xyte-mcp; its test checks that they name only metrics the server exports.
package observability

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var metricName = regexp.MustCompile(`xyte_mcp_[a-z_]+`)

// exported returns every metric name the Go code defines: the string literals
// naming xyte_mcp_ metrics in non-test files.
func exported(t *testing.T) map[string]bool {
	t.Helper()
	names := map[string]bool{}
	literal := regexp.MustCompile(`"(xyte_mcp_[a-z_]+)"`)
	for _, dir := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") ||
				strings.HasSuffix(path, "_test.go") {
				return err
			}
			data, err := os.ReadFile(path)
			for _, m := range literal.FindAllStringSubmatch(string(data), -1) {
				names[m[1]] = true
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(names) < 10 {
		t.Fatalf("found only %d metric names in the code", len(names))
	}
	return names
}

// checkNames fails for every referenced metric the code does not export. A
// histogram's series carry _bucket, _sum or _count after its name.
func checkNames(t *testing.T, file, text string, known map[string]bool) int {
	t.Helper()
	refs := metricName.FindAllString(text, -1)
	for _, ref := range refs {
		base := ref
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if trimmed, ok := strings.CutSuffix(ref, suffix); ok && known[trimmed] {
				base = trimmed
			}
		}
		if !known[base] {
			t.Errorf("%s references %s, which the server does not export", file, ref)
		}
	}
	return len(refs)
}

func TestAlertRulesUseExportedMetrics(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string
			Rules []struct {
				Alert, Expr string
				Labels      map[string]string
				Annotations map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(data, &rules); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	known := exported(t)
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" || r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("rule %q lacks a name, expression, severity or summary", r.Alert)
			}
			n += checkNames(t, "alerts.yml "+r.Alert, r.Expr, known)
		}
	}
	if n == 0 {
		t.Fatal("no metric referenced")
	}
}

func TestDashboardUsesExportedMetrics(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("dashboard.json: %v", err)
	}
	known := exported(t)
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			if checkNames(t, "dashboard "+p.Title, q.Expr, known) == 0 &&
				!strings.Contains(q.Expr, "process_") && !strings.Contains(q.Expr, "go_") {
				t.Errorf("panel %q query %q names no metric", p.Title, q.Expr)
			}
		}
	}
}
