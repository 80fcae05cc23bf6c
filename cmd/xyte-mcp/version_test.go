package main

import (
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// TestVersionPrintsBuild: version prints the version, commit, build date
// and Go release on one stdout line.
func TestVersionPrintsBuild(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCmd(t, nil, "version")
	want := regexp.MustCompile(`^xyte-mcp dev \(commit \S+, built \S+, ` +
		regexp.QuoteMeta(runtime.Version()) + `\)\n$`)
	if code != 0 || !want.MatchString(stdout) || stderr != "" {
		t.Errorf("version: exit %d, stdout %q, stderr %q; want 0 and a line like %s", code,
			stdout, stderr, want)
	}
}

// TestStampPrefersLinkerFlags: the commit and date set at link time win;
// Go's VCS stamp fills in what they leave empty; "unknown" is the rest.
func TestStampPrefersLinkerFlags(t *testing.T) {
	t.Parallel()
	vcs := &debug.BuildInfo{Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"},
		{Key: "vcs.revision", Value: "0123abc"},
		{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
	}}
	tests := []struct {
		commit, date string
		info         *debug.BuildInfo
		want         string
	}{
		{"fedcba9", "2026-02-01", vcs, "fedcba9 2026-02-01"},
		{"", "", vcs, "0123abc 2026-01-02T03:04:05Z"},
		{"fedcba9", "", vcs, "fedcba9 2026-01-02T03:04:05Z"},
		{"", "", &debug.BuildInfo{}, "unknown unknown"},
		{"", "2026-02-01", nil, "unknown 2026-02-01"},
	}
	for _, tc := range tests {
		c, d := stamp(tc.commit, tc.date, tc.info)
		if got := strings.Join([]string{c, d}, " "); got != tc.want {
			t.Errorf("stamp(%q, %q) = %q, want %q", tc.commit, tc.date, got, tc.want)
		}
	}
}
