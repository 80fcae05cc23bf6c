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
	"time"
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
}

// Client calls the Xyte API. It is safe for concurrent use. A Client carries
// at most one organization key; WithKey gives a copy for another tenant that
// shares the connection pool.
type Client struct {
	root       *url.URL
	key        string
	partnerKey string
	timeout    time.Duration
	http       *http.Client
	userAgent  string
	now        func() time.Time
}

// New returns a Client for the given options.
func New(opts Options) (*Client, error) {
	root, err := hubRoot(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		root:       root,
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
		c.http = &http.Client{Transport: NewTransport(), CheckRedirect: noRedirects}
	}
	if c.userAgent == "" {
		c.userAgent = "xyte-mcp"
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
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

// WithKey returns a copy of c that uses key for organization calls.
func (c *Client) WithKey(key string) *Client {
	cp := *c
	cp.key = strings.TrimSpace(key)
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
	httpReq, err := c.newRequest(ctx, ep, req, key)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	return c.attempt(httpReq.WithContext(ctx), ep)
}

// withTimeout applies the client's timeout unless ctx already ends sooner.
func (c *Client) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= c.timeout {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, c.timeout)
}

// newRequest builds the HTTP request for a call, refusing anything unsafe.
func (c *Client) newRequest(ctx context.Context, ep Endpoint, req Request, key string) (*http.Request, error) {
	u, err := c.endpointURL(ep, req.Path)
	if err != nil {
		return nil, err
	}
	if len(req.Query) > 0 {
		u.RawQuery = req.Query.Encode()
	}
	var body io.Reader
	if req.Body != nil {
		if ep.Method == http.MethodGet || ep.Method == http.MethodDelete {
			return nil, argError("body", "a "+ep.Method+" request carries no body")
		}
		data, err := json.Marshal(req.Body)
		if err != nil {
			return nil, argError("body", "cannot be encoded as JSON")
		}
		body = bytes.NewReader(data)
	}
	httpReq, err := http.NewRequestWithContext(ctx, ep.Method, u.String(), body)
	if err != nil {
		return nil, argError("path", "does not form a valid URL")
	}
	httpReq.Header.Set("Authorization", key)
	httpReq.Header.Set("Accept", "application/json")
	httpReq.Header.Set("User-Agent", c.userAgent)
	if body != nil {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	return httpReq, nil
}

// attempt sends one request and reads its answer. Retries and the circuit
// breaker belong around this function: it is the single place a request
// leaves the process.
func (c *Client) attempt(req *http.Request, ep Endpoint) (*Response, error) {
	var sent bool
	trace := &httptrace.ClientTrace{WroteHeaders: func() { sent = true }}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(ep.Key, err, sent)
	}
	defer resp.Body.Close()

	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
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

// callInto calls an endpoint and decodes a non-empty answer into out.
func (c *Client) callInto(ctx context.Context, endpoint string, req Request, out any) error {
	resp, err := c.Call(ctx, endpoint, req)
	if err != nil {
		return err
	}
	if out == nil || len(resp.Body) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return &Error{Endpoint: endpoint, StatusCode: resp.StatusCode, Sent: true,
			Message: "unexpected response shape: " + decodeProblem(err), code: CodeUpstream}
	}
	return nil
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
