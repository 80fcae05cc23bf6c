package edgetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// bigBody is a JSON-RPC send_command call whose payload string holds n 'A's,
// produced as it is read, with a count of the bytes read.
type bigBody struct {
	r    io.Reader
	size int64
	read atomic.Int64
}

func newBigBody(n int64) *bigBody {
	head := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"send_command",` +
		`"arguments":{"device_id":"d1","name":"reboot","extra_params":{"payload":"`
	tail := `"}}}}`
	return &bigBody{r: io.MultiReader(strings.NewReader(head),
		io.LimitReader(repeatA{}, n), strings.NewReader(tail)),
		size: int64(len(head)) + n + int64(len(tail))}
}

func (b *bigBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

type repeatA struct{}

func (repeatA) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'A'
	}
	return len(p), nil
}

// sendBig posts a body of about n bytes, declared or chunked, and returns
// the answer and how much of the body the client managed to send. A large
// declared body is sent as curl sends it, after Expect: 100-continue, so
// that the client can read an early refusal.
func (e *env) sendBig(t *testing.T, path, authz string, n int64, chunked bool) (reply, int64) {
	t.Helper()
	body := newBigBody(n)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.http.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = mcpHeader(authz)
	if !chunked {
		req.ContentLength = body.size
		if n > 1<<20 {
			req.Header.Set("Expect", "100-continue")
		}
	}
	// A fresh connection each time: the server closes it after a 413.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
		ExpectContinueTimeout: 5 * time.Second}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s (%d bytes, chunked %v): %v", path, n, chunked, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: data}, body.read.Load()
}

// TestB17BodyLimits: a body over XYTE_MAX_BODY_BYTES, declared or chunked,
// with or without a key, to MCP or REST, is refused with 413 and a JSON body
// (a JSON-RPC error on /mcp) before authentication and parsing, the server
// stops reading it at the limit, and nothing reaches the upstream. Invalid
// UTF-8 is refused, not quietly turned into U+FFFD and sent on; a lone
// surrogate is replaced the same way every time; nothing panics.
func TestB17BodyLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	const big = 60 << 20
	limit := e.cfg.MaxBodyBytes
	for _, path := range []string{"/mcp", "/v1/mcp", "/v1/devices/d1/commands"} {
		for _, authz := range []string{"", "Bearer " + keyA, "Bearer "} {
			for _, size := range []int64{limit + 1, big} {
				for _, chunked := range []bool{false, true} {
					name := fmt.Sprintf("%s key=%q size=%d chunked=%v", path, authz, size,
						chunked)
					r, sent := e.sendBig(t, path, authz, size, chunked)
					if r.status != http.StatusRequestEntityTooLarge {
						t.Errorf("%s: %d %s, want 413", name, r.status, r)
						continue
					}
					checkTooLarge(t, name, path, r)
					if sent > big/2 {
						t.Errorf("%s: the server read %d of %d bytes", name, sent, size)
					}
				}
			}
		}
	}
	if n := len(e.upstreamCalls()); n != 0 {
		t.Errorf("oversized bodies made %d upstream calls", n)
	}
}

func checkTooLarge(t *testing.T, name, path string, r reply) {
	t.Helper()
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Errorf("%s: 413 as %q", name, r.header.Get("Content-Type"))
	}
	if strings.HasSuffix(path, "/mcp") {
		a := rpc(t, r)
		if a.Error == nil || a.Error.Code != -32600 || string(a.ID) != "null" {
			t.Errorf("%s: 413 body %s, want a JSON-RPC error", name, r)
		}
		return
	}
	if errorCode(t, r) != "request_too_large" {
		t.Errorf("%s: 413 body %s", name, r)
	}
}

// TestB17EncodingFaults: invalid UTF-8 gets -32700 on MCP and 400 on REST
// with no upstream call; a lone surrogate reaches the upstream as the same
// replacement on every path.
func TestB17EncodingFaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpts{})
	a, _ := e.sim.Snapshot(keyA)
	dev := a.OnlineDeviceIDs[0]
	bad := "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":" +
		"\"send_command\",\"arguments\":{\"device_id\":\"" + dev + "\",\"name\":\"re\xffboot\"}}}"
	r := e.postMCP(t, "Bearer "+keyA, bad)
	if a := rpc(t, r); r.status != 400 || a.Error == nil || a.Error.Code != -32700 {
		t.Errorf("MCP invalid UTF-8: %d %s", r.status, r)
	}
	r = e.send(t, request{method: http.MethodPost, path: "/v1/devices/" + dev + "/commands",
		body: "{\"name\":\"re\xffboot\"}", header: mcpHeader(keyA)})
	if r.status != 400 || errorCode(t, r) != "invalid_params" ||
		!strings.Contains(string(r.body), "UTF-8") {
		t.Errorf("REST invalid UTF-8: %d %s", r.status, r)
	}
	if n := len(e.upstreamCalls()); n != 0 {
		t.Fatalf("invalid UTF-8 made %d upstream calls", n)
	}

	surrogate := `{"name":"reboot","extra_params":{"note":"a\ud800b"}}`
	call := `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"send_command",` +
		`"arguments":{"device_id":"` + dev + `","name":"reboot",` +
		`"extra_params":{"note":"a\ud800b"}}}}`
	for range 2 {
		if r := e.postMCP(t, "Bearer "+keyA, call); r.status != 200 {
			t.Fatalf("MCP lone surrogate: %d %s", r.status, r)
		}
		r := e.send(t, request{method: http.MethodPost, path: "/v1/devices/" + dev + "/commands",
			body: surrogate, header: mcpHeader(keyA)})
		if r.status != 200 {
			t.Fatalf("REST lone surrogate: %d %s", r.status, r)
		}
	}
	notes := map[string]int{}
	for _, req := range e.upstreamCalls() {
		var sent struct {
			ExtraParams map[string]any `json:"extra_params"`
			Parameters  map[string]any `json:"parameters"`
		}
		if err := json.Unmarshal(req.Body, &sent); err != nil {
			t.Fatalf("upstream body %q: %v", req.Body, err)
		}
		note := fmt.Sprint(sent.ExtraParams["note"], sent.Parameters["note"])
		notes[note]++
	}
	if len(notes) != 1 {
		t.Errorf("a lone surrogate reached the upstream in %d forms: %v", len(notes), notes)
	}
}
