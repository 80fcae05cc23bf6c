package xytesim

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Request is one request as the simulator received it, recorded whether it
// was authenticated, faulted or routed at all. It never holds the API key:
// KeyHash tells tenants apart instead.
type Request struct {
	// Time is when the request arrived, on the configured clock.
	Time time.Time `json:"time"`
	// Method is the HTTP method.
	Method string `json:"method"`
	// RequestURI is the request target exactly as sent on the request line.
	RequestURI string `json:"request_uri"`
	// RawPath is the escaped path as received (r.URL.EscapedPath()).
	RawPath string `json:"raw_path"`
	// Path is the decoded path.
	Path string `json:"path"`
	// RawQuery is the query string as received, without the "?".
	RawQuery string `json:"raw_query"`
	// Query is RawQuery parsed; pairs that do not parse are left out.
	Query url.Values `json:"query"`
	// Body is the request body; nil when a Drop fault closed the connection
	// before reading it.
	Body []byte `json:"body"`
	// Route is the matched ServeMux pattern, or "" when no route matched.
	Route string `json:"route"`
	// Endpoint is the matched endpoint name ("devices.getDevice"), or "".
	Endpoint string `json:"endpoint"`
	// PathParams are the decoded path wildcards of the matched route.
	PathParams map[string]string `json:"path_params"`
	// HasAuth reports whether an Authorization header was present.
	HasAuth bool `json:"has_auth"`
	// KeyHash is KeyHash of the Authorization value, or "" without one.
	KeyHash string `json:"key_hash"`
	// Org is the name of the organization the key selected, or "" (no key,
	// an unknown key, or a partner key).
	Org string `json:"org"`
	// Fault names the injected fault (latency, status, drop,
	// drop_after_body, hang), or "".
	Fault string `json:"fault"`
	// Status is the response status, or 0 while the request is running and
	// when no response was written (drop, hang, client gone).
	Status int `json:"status"`
}

// KeyHash returns the first 8 hex digits of the SHA-256 of an Authorization
// value: enough to tell tenants apart in the request log, never the key.
func KeyHash(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:4])
}

// clone returns a deep copy, so callers cannot change the log.
func (r Request) clone() Request {
	r.Query = url.Values(maps.Clone(map[string][]string(r.Query)))
	for k, v := range r.Query {
		r.Query[k] = slices.Clone(v)
	}
	r.PathParams = maps.Clone(r.PathParams)
	r.Body = slices.Clone(r.Body)
	return r
}

// newRequest records what arrived; Body, Org, Fault and Status come later.
func newRequest(r *http.Request, rt *route, now time.Time) *Request {
	query, _ := url.ParseQuery(r.URL.RawQuery) // keep the pairs that parse
	auth := r.Header.Values("Authorization")
	req := &Request{
		Time:       now,
		Method:     r.Method,
		RequestURI: r.RequestURI,
		RawPath:    r.URL.EscapedPath(),
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		Query:      query,
		HasAuth:    len(auth) > 0,
		PathParams: map[string]string{},
	}
	if len(auth) > 0 {
		req.KeyHash = KeyHash(strings.Join(auth, ","))
	}
	if rt != nil {
		req.Route, req.Endpoint = rt.pattern, rt.name
		for _, name := range rt.params {
			req.PathParams[name] = r.PathValue(name)
		}
	}
	return req
}

// requestLog is a bounded ring of the most recent requests.
type requestLog struct {
	mu    sync.Mutex
	limit int
	buf   []*Request
	next  int // where the next entry goes once buf is full
}

// add records a request; the caller may still fill in its status through
// finish.
func (l *requestLog) add(r *Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) < l.limit {
		l.buf = append(l.buf, r)
		return
	}
	l.buf[l.next] = r
	l.next = (l.next + 1) % l.limit
}

// finish sets the response status of a recorded request.
func (l *requestLog) finish(r *Request, status int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.Status = status
}

// list returns copies of the entries, oldest first.
func (l *requestLog) list() []Request {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, 0, len(l.buf))
	for i := range l.buf {
		out = append(out, l.buf[(l.next+i)%len(l.buf)].clone())
	}
	return out
}

// clear empties the log.
func (l *requestLog) clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf, l.next = nil, 0
}
