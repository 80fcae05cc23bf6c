package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/lockedbuf"
)

// TestSimBannerNamesKeys: sim prints where it listens and the keys it
// accepts (its demo keys unless told others), serves them, and exits 0 when
// its context ends.
func TestSimBannerNamesKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want []string
		key  string // sent with the check request, as given
	}{
		{"demo keys", nil, []string{
			"  organization key: demo-key Northwind Labs\n",
			"  partner key:      demo-partner-key\n",
			"Try: curl -H 'Authorization: demo-key' http://127.0.0.1:",
		}, "demo-key"},
		{"given keys", []string{"-key", "org-one=Org One", "-key", "org-two",
			"-partner-key", "partner-one", "-seed", "7", "-lenient-bearer",
			"-accept-iso-times", "-command-delay", "1s"}, []string{
			"  organization key: org-one Org One\n",
			"  organization key: org-two\n",
			"  partner key:      partner-one\n",
			"Try: curl -H 'Authorization: org-one' http://127.0.0.1:",
		}, "Bearer org-two"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr := &lockedbuf.Buffer{}, &lockedbuf.Buffer{}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan int, 1)
			args := append([]string{"sim", "-listen", "127.0.0.1:0", "-admin-listen", "",
				"-log-level", "warn"}, tc.args...)
			go func() { done <- run(ctx, args, testEnv(nil, stdout, stderr)) }()

			base := simBase(t, stdout, stderr, done)
			var banner strings.Builder
			for _, line := range strings.SplitAfter(stdout.String(), "\n") {
				banner.WriteString(strings.TrimRight(line, " \n") + "\n")
			}
			for _, w := range tc.want {
				if !strings.Contains(banner.String(), w) {
					t.Errorf("banner lacks %q:\n%s", w, stdout)
				}
			}
			if status := getWithKey(t, base+"/devices", tc.key); status != http.StatusOK {
				t.Errorf("GET /devices with %q = %d, want 200", tc.key, status)
			}
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("sim exit %d after cancel, want 0: %s", code, stderr)
			}
		})
	}
}

// simBase waits for the banner's first line and returns the API base URL.
func simBase(t *testing.T, stdout, stderr *lockedbuf.Buffer, done <-chan int) string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		first, _, _ := strings.Cut(stdout.String(), "\n")
		if base, ok := strings.CutPrefix(first, "Simulated Xyte API at "); ok &&
			strings.Contains(stdout.String(), "Try: curl") {
			return base
		}
		select {
		case code := <-done:
			t.Fatalf("sim exited with %d: %s", code, stderr)
		case <-deadline:
			t.Fatalf("no sim banner: %q %q", stdout, stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func getWithKey(t *testing.T, url, key string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}
