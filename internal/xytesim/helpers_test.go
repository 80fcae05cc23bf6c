package xytesim

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Keys of the two-tenant configuration most tests use.
const (
	keyA       = "org-key-alpha"
	keyB       = "org-key-bravo"
	keyRO      = "org-key-readonly"
	keyPartner = "partner-key-1"
)

// testEpoch is the fixed start of every fake clock.
var testEpoch = time.Date(2025, 3, 11, 8, 45, 0, 0, time.UTC)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: testEpoch} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// twoOrgs is a configuration with two tenants, a read-only one and a
// partner key, on a fixed clock.
func twoOrgs(clock *fakeClock) Config {
	return Config{
		Orgs: []Org{
			{Key: keyA, Name: "Alpha Works"},
			{Key: keyB, Name: "Bravo Studios"},
			{Key: keyRO, Name: "Charlie Readers", ReadOnly: true},
		},
		PartnerKeys: []string{keyPartner},
		Now:         clock.Now,
	}
}

// sim is a Server behind an httptest server.
type sim struct {
	*Server
	url    string
	client *http.Client
}

func newSim(t *testing.T, cfg Config) *sim {
	t.Helper()
	s := New(cfg)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	// No keep-alive: the transport silently retries idempotent requests on
	// a reused connection that drops, which would hide drop faults.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	return &sim{Server: s, url: ts.URL, client: client}
}

// newTwoOrgSim is newSim(twoOrgs) with its clock.
func newTwoOrgSim(t *testing.T) (*sim, *fakeClock) {
	t.Helper()
	clock := newClock()
	return newSim(t, twoOrgs(clock)), clock
}

// result is a response read in full.
type result struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request. body is nil, a string sent as is, or a value sent
// as JSON; an empty key sends no Authorization header.
func (s *sim) call(t *testing.T, method, path, key string, body any) result {
	t.Helper()
	res, err := s.try(t.Context(), method, path, key, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

func (s *sim) try(ctx context.Context, method, path, key string, body any) (result, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return result{}, err
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, rd)
	if err != nil {
		return result{}, err
	}
	if key != "" {
		req.Header.Set("Authorization", key)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return result{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: data}, err
}

// org calls the Organization API.
func (s *sim) org(t *testing.T, method, path, key string, body any) result {
	t.Helper()
	return s.call(t, method, OrgPrefix+path, key, body)
}

// partner calls the Partner API.
func (s *sim) partner(t *testing.T, method, path, key string, body any) result {
	t.Helper()
	return s.call(t, method, PartnerPrefix+path, key, body)
}

// must calls the Organization API and fails unless it answers 200.
func (s *sim) must(t *testing.T, method, path, key string, body any) result {
	t.Helper()
	res := s.org(t, method, path, key, body)
	wantStatus(t, res, http.StatusOK)
	return res
}

func wantStatus(t *testing.T, res result, want int) {
	t.Helper()
	if res.status != want {
		t.Fatalf("status = %d, want %d; body %s", res.status, want, res.body)
	}
}

// wantError checks the status and an {"error": "..."} body containing sub.
func wantError(t *testing.T, res result, status int, sub string) {
	t.Helper()
	wantStatus(t, res, status)
	var e struct {
		Error *string `json:"error"`
	}
	if err := json.Unmarshal(res.body, &e); err != nil || e.Error == nil || *e.Error == "" {
		t.Fatalf("body %s is not an {\"error\"} object", res.body)
	}
	if !strings.Contains(strings.ToLower(*e.Error), strings.ToLower(sub)) {
		t.Fatalf("error %q does not contain %q", *e.Error, sub)
	}
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want JSON", ct)
	}
}

func decodeAs[T any](t *testing.T, res result) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(res.body, &v); err != nil {
		t.Fatalf("decode %s: %v", res.body, err)
	}
	return v
}

// keysOf returns the top-level keys of a JSON object.
func keysOf(t *testing.T, res result) []string {
	t.Helper()
	m := decodeAs[map[string]json.RawMessage](t, res)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// items decodes the "items" of a list envelope.
func items[T any](t *testing.T, res result) []T {
	t.Helper()
	return decodeAs[struct {
		Items []T `json:"items"`
	}](t, res).Items
}

// snapshot returns the ids of the org key selects.
func (s *sim) snapshot(t *testing.T, key string) Snapshot {
	t.Helper()
	snap, ok := s.Snapshot(key)
	if !ok {
		t.Fatalf("no org for key hash %s", KeyHash(key))
	}
	return snap
}

func itoa(n int) string { return strconv.Itoa(n) }

// lastRequest returns the newest request log entry.
func (s *sim) lastRequest(t *testing.T) Request {
	t.Helper()
	reqs := s.Requests()
	if len(reqs) == 0 {
		t.Fatal("request log is empty")
	}
	return reqs[len(reqs)-1]
}
