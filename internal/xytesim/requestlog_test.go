package xytesim

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestRequestLogEntry(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	dev := s.snapshot(t, keyA).DeviceIDs[0]
	body := `{"name":"reboot"}`
	s.must(t, "POST", "/devices/"+dev+"/commands?dry=1&tag=a%20b&tag=c", keyA, body)
	got := s.lastRequest(t)
	checks := []struct {
		name      string
		got, want any
	}{
		{"method", got.Method, "POST"},
		{"raw path", got.RawPath, OrgPrefix + "/devices/" + dev + "/commands"},
		{"path", got.Path, OrgPrefix + "/devices/" + dev + "/commands"},
		{"request uri", got.RequestURI, got.RawPath + "?dry=1&tag=a%20b&tag=c"},
		{"raw query", got.RawQuery, "dry=1&tag=a%20b&tag=c"},
		{"query", strings.Join(got.Query["tag"], ","), "a b,c"},
		{"body", string(got.Body), body},
		{"route", got.Route, "POST " + OrgPrefix + "/devices/{device_id}/commands"},
		{"endpoint", got.Endpoint, "commands.sendCommand"},
		{"path param", got.PathParams["device_id"], dev},
		{"has auth", got.HasAuth, true},
		{"key hash", got.KeyHash, KeyHash(keyA)},
		{"org", got.Org, "Alpha Works"},
		{"status", got.Status, http.StatusOK},
		{"fault", got.Fault, ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestRequestLogNeverHoldsTheKey(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	s.must(t, "GET", "/info", keyA, nil)
	s.org(t, "GET", "/info", "Bearer "+keyB, nil)
	s.partner(t, "GET", "/devices", keyPartner, nil)
	s.org(t, "GET", "/nope", keyA, nil)
	data, err := json.Marshal(s.Requests())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{keyA, keyB, keyPartner} {
		if strings.Contains(string(data), key) {
			t.Fatalf("the request log holds a key: %s", data)
		}
	}
}

func TestRequestLogRecordsEveryRequest(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	s.org(t, "GET", "/devices", "", nil)
	s.org(t, "GET", "/devices", "wrong", nil)
	s.org(t, "DELETE", "/nope", keyA, nil)
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d entries, want 3", len(reqs))
	}
	if reqs[0].HasAuth || reqs[0].KeyHash != "" || reqs[0].Status != 401 {
		t.Errorf("unauthenticated entry = %+v", reqs[0])
	}
	if !reqs[1].HasAuth || reqs[1].Org != "" || reqs[1].KeyHash != KeyHash("wrong") {
		t.Errorf("unknown-key entry = %+v", reqs[1])
	}
	if reqs[2].Route != "" || reqs[2].Endpoint != "" || reqs[2].Status != 404 {
		t.Errorf("unrouted entry = %+v", reqs[2])
	}
	s.ClearRequests()
	if n := len(s.Requests()); n != 0 {
		t.Fatalf("%d entries after ClearRequests", n)
	}
}

func TestRequestLogIsBounded(t *testing.T) {
	t.Parallel()
	cfg := twoOrgs(newClock())
	cfg.RequestLogLimit = 3
	s := newSim(t, cfg)
	for i := range 5 {
		s.org(t, "GET", "/info?n="+itoa(i), keyA, nil)
	}
	reqs := s.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d entries, want 3", len(reqs))
	}
	for i, r := range reqs {
		if want := "n=" + itoa(i+2); r.RawQuery != want {
			t.Errorf("entry %d has query %q, want %q", i, r.RawQuery, want)
		}
	}
}

func TestRequestsReturnsCopies(t *testing.T) {
	t.Parallel()
	s, _ := newTwoOrgSim(t)
	s.org(t, "POST", "/devices/x/commands?a=1", keyA, `{"name":"x"}`)
	got := s.Requests()[0]
	got.Query.Set("a", "changed")
	got.PathParams["device_id"] = "changed"
	got.Body[0] = 'X'
	again := s.Requests()[0]
	if again.Query.Get("a") != "1" || again.PathParams["device_id"] != "x" || again.Body[0] != '{' {
		t.Fatalf("the log changed through a returned copy: %+v", again)
	}
}
