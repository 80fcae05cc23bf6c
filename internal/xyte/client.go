// Package xyte is a client for the Xyte Organization and Partner APIs.
//
// The endpoint catalog (Catalog, Lookup) describes every upstream endpoint as
// data; Client.Call calls any of them generically, and the typed methods
// (ListDevices, SendCommand, ...) cover the calls the curated tools need.
//
// Wire rules, enforced for every call: the key travels as the bare value of
// Authorization; each path parameter is exactly one escaped segment and ids
// that could change the path are refused before anything is sent; query
// strings are built with url.Values; GET and DELETE never carry a body.
package xyte

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// DefaultBaseURL is the hub's organization API base.
const DefaultBaseURL = "https://hub.xyte.io/core/v1/organization"

// DefaultTimeout bounds one call, from the first byte sent to the last read.
const DefaultTimeout = 15 * time.Second

// maxResponseBytes bounds the size of a response body the client reads.
const maxResponseBytes = 16 << 20

// Options configures a Client.
type Options struct {
	// BaseURL is the hub root (https://hub.xyte.io) or the organization API
	// base under it (https://hub.xyte.io/core/v1/organization). Default
	// DefaultBaseURL.
	BaseURL string
	// Key is the organization API key. It may be empty and set per tenant
	// with WithKey.
	Key string
	// PartnerKey is the partner API key, used for partner.* endpoints.
	PartnerKey string
	// Timeout bounds each call. Default DefaultTimeout.
	Timeout time.Duration
	// HTTPClient sends the requests. Default: a client over NewTransport that
	// follows no redirects.
	HTTPClient *http.Client
	// UserAgent is sent as User-Agent. Default "xyte-mcp".
	UserAgent string
	// Now returns the current time (for Retry-After dates). Default time.Now.
	Now func() time.Time
	// MaxRetries is how many times an idempotent call (GET, PUT, DELETE) is
	// retried after a 5xx, 408, 429 or network failure. 0 means
	// DefaultMaxRetries; a negative value turns retries off. POST and PATCH
	// are never retried.
	MaxRetries int
	// RetryBaseDelay is the first backoff; each retry doubles it, with
	// jitter. Default DefaultRetryBaseDelay.
	RetryBaseDelay time.Duration
	// BreakerThreshold is how many consecutive failures (5xx, no response,
	// timeouts; never 4xx) open the circuit breaker. 0 means
	// DefaultBreakerThreshold; a negative value turns the breaker off.
	BreakerThreshold int
	// BreakerCooldown is how long the breaker stays open before one probe
	// call is let through. Default DefaultBreakerCooldown.
	BreakerCooldown time.Duration
	// Observer is told about every attempt, retry and breaker change.
	Observer Observer
	// Cache, when set, keeps successful GET answers per tenant (a hash of
	// the key); any write by a tenant drops that tenant's entries.
	Cache ReadCache
}

// ReadCache keeps successful read answers per tenant. Get must call load on a
// miss, store only what load returned without error, and never serve one
// tenant's entry to another. Callers must not modify a returned Response.
type ReadCache interface {
	Get(ctx context.Context, tenant, key string, load func(context.Context) (*Response, error)) (*Response, error)
	Invalidate(tenant string)
}

// Client calls the Xyte API. It is safe for concurrent use. A Client carries
// at most one organization key; WithKey gives a copy for another tenant that
// shares the connection pool.
type Client struct {
	root       *url.URL
	origin     string // root's scheme and host, as url.URL.String writes them
	plainRoot  bool   // whether root's path is plain (see plainPath)
	key        string
	partnerKey string
	timeout    time.Duration
	http       *http.Client
	// transport is http's Transport when the client made http itself:
	// calls go to it directly (see attempt).
	transport  http.RoundTripper
	userAgent  string
	now        func() time.Time
	maxRetries int
	retryBase  time.Duration
	cooldown   time.Duration
	breaker    *gobreaker.CircuitBreaker[*Response]
	obs        Observer
	cache      ReadCache
}

// New returns a Client for the given options.
func New(opts Options) (*Client, error) {
	root, err := hubRoot(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		root:       root,
		origin:     (&url.URL{Scheme: root.Scheme, Host: root.Host}).String(),
		plainRoot:  plainPath(root.Path),
		key:        strings.TrimSpace(opts.Key),
		partnerKey: strings.TrimSpace(opts.PartnerKey),
		timeout:    opts.Timeout,
		http:       opts.HTTPClient,
		userAgent:  opts.UserAgent,
		now:        opts.Now,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.http == nil {
		c.transport = NewTransport()
		c.http = &http.Client{Transport: c.transport, CheckRedirect: noRedirects}
	}
	if c.userAgent == "" {
		c.userAgent = "xyte-mcp"
	}
	if c.now == nil {
		c.now = time.Now
	}
	c.applyResilience(opts)
	c.cache = opts.Cache
	return c, nil
}

func (c *Client) applyResilience(opts Options) {
	c.maxRetries = opts.MaxRetries
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	c.retryBase = cmp.Or(opts.RetryBaseDelay, DefaultRetryBaseDelay)
	c.cooldown = cmp.Or(opts.BreakerCooldown, DefaultBreakerCooldown)
	c.obs = opts.Observer
	if c.obs == nil {
		c.obs = nopObserver{}
	}
	threshold := cmp.Or(opts.BreakerThreshold, DefaultBreakerThreshold)
	c.breaker = newBreaker(c.root.Host, threshold, c.cooldown, c.obs)
}

// hubRoot turns a configured base URL into the hub root that API prefixes are
// added to. A trailing organization or partner prefix is removed.
func hubRoot(base string) (*url.URL, error) {
	base = strings.TrimSpace(base)
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("xyte base URL must be an absolute http or https URL")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("xyte base URL must not hold credentials, a query or a fragment")
	}
	p := strings.TrimRight(u.Path, "/")
	for _, api := range []API{APIOrganization, APIPartner} {
		p = strings.TrimSuffix(p, api.Prefix())
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: p}, nil
}

// NewTransport returns the HTTP transport the client uses by default: bounded
// dial, TLS handshake and response-header waits, and a connection pool sized
// for a server that calls one host on behalf of many tenants.
func NewTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
	}
}

// noRedirects stops the client from following redirects, which could carry the
// key to another host. The API does not redirect.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// WithKey returns a copy of c that uses key for organization calls. The copy
// has no partner key: a tenant's client must never act with the operator's
// partner credential.
func (c *Client) WithKey(key string) *Client {
	cp := *c
	cp.key = strings.TrimSpace(key)
	cp.partnerKey = ""
	return &cp
}

// HasKey reports whether c has an organization key.
func (c *Client) HasKey() bool { return c.key != "" }

// BaseURL returns the organization API base, without any key.
func (c *Client) BaseURL() string { return c.root.String() + APIOrganization.Prefix() }

// String describes the client without its keys.
func (c *Client) String() string { return "xyte.Client{" + c.BaseURL() + "}" }

// GoString describes the client without its keys.
func (c *Client) GoString() string { return c.String() }

// Request holds the arguments of a generic call.
type Request struct {
	// Path holds a value for each {name} of the endpoint's path template.
	Path map[string]string
	// Query is encoded as the query string.
	Query url.Values
	// Body is encoded as the JSON body. It must be nil for GET and DELETE.
	Body any
}

// Response is the answer to a successful (2xx) call.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the raw JSON body; empty for 204 and other empty answers.
	Body json.RawMessage

	// shared marks an answer that went through the read cache, where other
	// calls may get it too; kept is the value its body decoded into, kept
	// for those calls (see decodeInto).
	shared bool
	kept   atomic.Pointer[keptValue]
}

// Call calls the endpoint with the given catalog key. A non-2xx answer or a
// failed exchange returns an *Error; arguments that cannot be sent safely
// return an *ArgumentError and send nothing.
func (c *Client) Call(ctx context.Context, endpoint string, req Request) (*Response, error) {
	ep, ok := Lookup(endpoint)
	if !ok {
		return nil, argError("endpoint", "unknown endpoint key")
	}
	return c.call(ctx, ep, req)
}

func (c *Client) call(ctx context.Context, ep Endpoint, req Request) (*Response, error) {
	key := c.key
	if ep.API == APIPartner {
		key = c.partnerKey
	}
	if key == "" {
		return nil, argError("key", "no Xyte API key for the "+string(ep.API)+" API")
	}
	out, err := c.prepare(ep, req)
	if err != nil {
		return nil, err
	}
	if c.cache != nil && ep.Method == http.MethodGet {
		return c.cached(ctx, ep, out, key)
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	if c.cache == nil {
		return c.retrying(ctx, ep, out, key)
	}
	// A write, even a failed one, may have changed what the tenant's reads
	// return.
	defer c.cache.Invalidate(tenant.Hash(key))
	return c.retrying(ctx, ep, out, key)
}

// cached answers a read from the cache, filling it on a miss. The client's
// timeout bounds the fill and any wait on another call's fill, but its
// timer starts only if the cache does not answer at once (see lazyDeadline).
func (c *Client) cached(ctx context.Context, ep Endpoint, out outgoing, key string) (*Response, error) {
	if dl, ok := ctx.Deadline(); !ok || time.Until(dl) > c.timeout {
		lazy := newLazyDeadline(ctx, c.timeout)
		defer lazy.stop()
		ctx = lazy
	}
	return c.cache.Get(ctx, tenant.Hash(key), ep.Key+" "+out.url, func(ctx context.Context) (*Response, error) {
		resp, err := c.retrying(ctx, ep, out, key)
		if resp != nil {
			resp.shared = true
		}
		return resp, err
	})
}

// retrying sends a call, retrying idempotent methods on transient failures.
func (c *Client) retrying(ctx context.Context, ep Endpoint, out outgoing, key string) (*Response, error) {
	for n := 0; ; n++ {
		resp, err := c.send(ctx, ep, out, key)
		if err == nil {
			return resp, nil
		}
		if !idempotent(ep.Method) || n >= c.maxRetries || !retryable(err) {
			markOutcomeUnknown(ep.Method, err)
			return nil, err
		}
		wait, fits := c.retryDelay(ctx, err, n)
		if !fits {
			return nil, err
		}
		c.obs.Retry(ep.Key)
		if sleep(ctx, wait) != nil {
			return nil, err
		}
	}
}

// send makes one attempt through the circuit breaker.
func (c *Client) send(ctx context.Context, ep Endpoint, out outgoing, key string) (*Response, error) {
	start := time.Now()
	resp, err := c.breaker.Execute(func() (*Response, error) {
		return c.attempt(ctx, out, ep, key)
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		err = breakerError(ep.Key, c.cooldown)
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	var xe *Error
	if errors.As(err, &xe) {
		status = xe.StatusCode
	}
	c.obs.Attempt(ep.Key, status, CodeOf(err), time.Since(start))
	return resp, err
}

// withTimeout applies the client's timeout unless ctx already ends sooner.
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= c.timeout {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.timeout)
}

// outgoing is a checked request, ready to be sent once or several times.
type outgoing struct {
	url  string
	body []byte // nil: no body
}

// prepare builds the URL and body of a call, refusing anything unsafe.
func (c *Client) prepare(ep Endpoint, req Request) (outgoing, error) {
	var query string
	if len(req.Query) > 0 {
		query = req.Query.Encode()
	}
	u, err := c.endpointURL(ep, req.Path, query)
	if err != nil {
		return outgoing{}, err
	}
	out := outgoing{url: u}
	if req.Body != nil {
		if ep.Method == http.MethodGet || ep.Method == http.MethodDelete {
			return outgoing{}, argError("body", "a "+ep.Method+" request carries no body")
		}
		if out.body, err = json.Marshal(req.Body); err != nil {
			return outgoing{}, argError("body", "cannot be encoded as JSON")
		}
	}
	return out, nil
}

// request builds one HTTP request. The URL was checked by prepare.
func (o outgoing) request(ctx context.Context, method, key, userAgent string) *http.Request {
	var body io.Reader
	if o.body != nil {
		body = bytes.NewReader(o.body)
	}
	req, err := http.NewRequestWithContext(ctx, method, o.url, body)
	if err != nil {
		panic("xyte: checked URL does not parse: " + err.Error())
	}
	// One map, written whole: the names are in canonical form already, and
	// the fixed values are shared (nothing on the way out changes them).
	req.Header = http.Header{"Authorization": {key}, "Accept": jsonValue, "User-Agent": {userAgent}}
	if o.body != nil {
		req.Header["Content-Type"] = jsonValue
	}
	return req
}

// jsonValue is the value of the Accept and Content-Type headers.
var jsonValue = []string{"application/json"}

// attempt sends one request and reads its answer. It is the single place a
// request leaves the process; call wraps it in retries and the breaker.
func (c *Client) attempt(ctx context.Context, out outgoing, ep Endpoint,
	key string) (*Response, error) {
	var sent bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { sent = true }}
	req := out.request(httptrace.WithClientTrace(ctx, trace), ep.Method, key, c.userAgent)

	var resp *http.Response
	var err error
	if c.transport != nil {
		// What http.Client adds, the client does not use: it follows no
		// redirects and keeps no cookies, and its deadline is in ctx.
		resp, err = c.transport.RoundTrip(req)
	} else {
		resp, err = c.http.Do(req)
	}
	if err != nil {
		return nil, transportError(ep.Key, err, sent)
	}
	defer resp.Body.Close()

	data, err := readBody(resp.Body, resp.ContentLength, maxResponseBytes+1)
	if err != nil {
		return nil, transportError(ep.Key, err, true)
	}
	if len(data) > maxResponseBytes {
		return nil, &Error{Endpoint: ep.Key, StatusCode: resp.StatusCode, Sent: true,
			Message: "response too large", code: CodeUpstream}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, statusError(ep.Key, resp, data, c.now(), c.key, c.partnerKey)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header,
		Body: json.RawMessage(bytes.TrimSpace(data))}, nil
}

// readBody reads r to its end, or to limit bytes. An answer that tells its
// length (size, -1 if it does not) is read into a buffer of that size, up
// to 1 MiB, not one grown and copied several times over; a longer one
// grows as its bytes arrive, so that a told length alone reserves little.
func readBody(r io.Reader, size, limit int64) ([]byte, error) {
	n := int64(512)
	if size >= 0 && size < limit {
		n = min(size+1, 1<<20) // the extra byte finds the end without growing
	}
	b := make([]byte, 0, n)
	r = io.LimitReader(r, limit)
	for {
		k, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+k]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// callInto calls an endpoint and decodes a non-empty answer into out.
func (c *Client) callInto(ctx context.Context, endpoint string, req Request, out any) error {
	resp, err := c.Call(ctx, endpoint, req)
	if err != nil {
		return err
	}
	if out == nil || len(resp.Body) == 0 {
		return nil
	}
	if err := resp.decodeInto(out); err != nil {
		return &Error{Endpoint: endpoint, StatusCode: resp.StatusCode, Sent: true,
			Message: "unexpected response shape: " + decodeProblem(err), code: CodeUpstream}
	}
	return nil
}

// decodeInto decodes body into out. The types with their own decoders check
// the JSON as they decode it (json.Unmarshal inside), so they get the body
// directly: json.Unmarshal would check the whole body once more first.
func decodeInto(body []byte, out any) error {
	if u, ok := out.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(bytes.TrimSpace(body))
	}
	return json.Unmarshal(body, out)
}

// decodeProblem describes a decoding error without quoting the body.
func decodeProblem(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("field %q has the wrong type", te.Field)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return "invalid JSON"
	}
	return "cannot decode"
}
