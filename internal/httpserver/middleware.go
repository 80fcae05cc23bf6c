package httpserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/logging"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// routeClass sorts routes for logging and for the middleware they skip.
type routeClass int

const (
	classOther routeClass = iota // no route matched
	classProbe                   // /healthz, /readyz, /metrics: no auth, no origin check
	classMCP                     // /mcp, /v1/mcp
	classAPI                     // REST under /v1
)

// requestInfo is what the inner handlers learn about a request and the outer
// middleware reports: the route template and the tenant id. It is created
// per request by observe and shared through the context.
type requestInfo struct {
	route  string
	class  routeClass
	tenant string
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	if info, ok := ctx.Value(infoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// chain wraps the router in the middleware every request passes, outermost
// first: metrics and the request log, panic recovery, the origin check, the
// body limit and the drain gate. Everything up to the body limit reads no
// body, so a refused origin or an oversized body is answered before
// authentication or parsing, and every answer, errors included, carries the
// CORS headers its origin is entitled to.
func (s *Server) chain(mux http.Handler) http.Handler {
	h := s.drainGate(mux)
	h = s.limitBody(h)
	h = s.checkOrigin(h)
	h = s.recoverPanics(h)
	return s.observe(h)
}

// bodyReadTimeout bounds reading a request body. The server has no read
// timeout of its own, since MCP answers stream for as long as a tool runs.
const bodyReadTimeout = 30 * time.Second

// limitBody reads every request body, up to the limit, before anything else
// sees it. A declared length over the limit is refused at once; a body of
// unknown length (chunked, HTTP/2) is refused as soon as it passes the
// limit; either way before authentication or parsing. Reading here also
// puts a deadline on a body that trickles in, which no handler could do
// without giving long answers a deadline too.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.cfg.MaxBodyBytes
		if r.ContentLength > limit {
			writeTooLarge(w, r, limit)
			return
		}
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(bodyReadTimeout))
		data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		_ = rc.SetReadDeadline(time.Time{})
		switch {
		case int64(len(data)) > limit:
			writeTooLarge(w, r, limit)
			return
		case err != nil:
			w.Header().Set("Connection", "close")
			rest.WriteError(w, http.StatusBadRequest, rest.CodeBadRequest,
				"the request body could not be read in time")
			return
		}
		r.Body = newMemBody(data)
		r.ContentLength = int64(len(data))
		next.ServeHTTP(w, r)
	})
}

// memBody is a request body limitBody has read into memory. A handler that
// wants the whole body takes it with bodyBytes instead of copying it again.
type memBody struct {
	*bytes.Reader
	data []byte
}

func newMemBody(data []byte) *memBody { return &memBody{bytes.NewReader(data), data} }

func (*memBody) Close() error { return nil }

// bodyBytes reads the rest of r's body.
func bodyBytes(r *http.Request) ([]byte, error) {
	if b, ok := r.Body.(*memBody); ok && b.Len() == len(b.data) {
		_, _ = b.Seek(0, io.SeekEnd)
		return b.data, nil
	}
	return io.ReadAll(r.Body)
}

// writeTooLarge answers 413 in the protocol of the path: a JSON-RPC error
// on the MCP endpoints, the REST error body elsewhere. The connection is
// closed after it, since the rest of the body is never read.
func writeTooLarge(w http.ResponseWriter, r *http.Request, limit int64) {
	msg := "request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"
	w.Header().Set("Connection", "close")
	if isMCPPath(r.URL.Path) {
		writeRPCError(w, http.StatusRequestEntityTooLarge, nil, codeInvalidRequest, msg)
	} else {
		rest.WriteError(w, http.StatusRequestEntityTooLarge, rest.CodeRequestTooLarge, msg)
	}
	lingerAfterRefusal(w, r)
}

// Bounds of the lingering read after a refused body.
const (
	lingerTime  = time.Second
	lingerBytes = 4 << 20
)

// lingerAfterRefusal sends the refusal at once, then reads and discards a
// little more of the body for a moment. A client still sending would
// otherwise meet a connection closed with its data unread, which the kernel
// answers with a reset that takes the refusal with it. What is read is
// bounded in time and size and never kept.
func lingerAfterRefusal(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody ||
		strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		// A client that waits for 100 Continue sends no body after a refusal.
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.Flush()
	_ = rc.SetReadDeadline(time.Now().Add(lingerTime))
	_, _ = io.CopyN(io.Discard, r.Body, lingerBytes)
}

// observe records each request in the metrics and the request log, by route
// template: never by raw path, id or key.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{route: routeOther}
		id := requestID(r.Header.Get("X-Request-Id"))
		w.Header().Set("X-Request-Id", id)
		ctx := logging.WithRequestID(context.WithValue(r.Context(), infoKey{}, info), id)
		r = r.WithContext(ctx)
		rec := &statusRecorder{ResponseWriter: w}
		s.metrics.inFlight.Inc()
		defer s.metrics.inFlight.Dec()

		next.ServeHTTP(rec, r)

		took := time.Since(start)
		status := rec.statusCode()
		s.metrics.observe(r.Method, info.route, status, took)
		level := slog.LevelInfo
		if info.class == classProbe {
			level = slog.LevelDebug
		}
		s.logger.LogAttrs(r.Context(), level, "http request",
			slog.String("method", r.Method),
			slog.String("route", info.route),
			slog.Int("status", status),
			slog.Float64("duration_ms", float64(took.Microseconds())/1000),
			slog.String("tenant", info.tenant))
	})
}

// requestID keeps a sane incoming request id (1 to 128 characters of letters,
// digits and ._:-) and makes a new one otherwise.
func requestID(in string) string {
	if len(in) > 0 && len(in) <= 128 && strings.Trim(in,
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == "" {
		return in
	}
	return rand.Text()[:20]
}

// rateLimit refuses a tenant's request over its budget with 429, before any
// upstream call. The tenant was set by authenticate.
func (s *Server) rateLimit(next http.Handler) http.Handler {
	if s.limiter == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, ok := tenant.FromContext(r.Context())
		if ok {
			if d := s.limiter.Allow(r.Context(), t.ID()); !d.Allowed {
				if s.onLimited != nil {
					s.onLimited()
				}
				secs := max(1, int(math.Ceil(d.RetryAfter.Seconds())))
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				rest.WriteError(w, http.StatusTooManyRequests, string(xyte.CodeRateLimited),
					"rate limit reached for this key; retry after "+strconv.Itoa(secs)+" s")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a handler panic into a 500, logged once. The panic
// value is not logged: it may hold request data.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			s.logger.Error("http handler panic", "route", infoFrom(r.Context()).route)
			rest.WriteError(w, http.StatusInternalServerError, rest.CodeInternal, "internal error")
		}()
		next.ServeHTTP(w, r)
	})
}

// drainGate refuses new work once shutdown has begun. Probes still answer,
// so that /readyz can say 503 itself.
func (s *Server) drainGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.draining.Load() && !isProbePath(r.URL.Path) {
			w.Header().Set("Connection", "close")
			w.Header().Set("Retry-After", "1")
			rest.WriteError(w, http.StatusServiceUnavailable, rest.CodeUnavailable,
				"the server is shutting down; retry on another replica")
			return
		}
		s.admitted.Add(1)
		defer s.admitted.Add(-1)
		next.ServeHTTP(w, r)
	})
}

func isProbePath(p string) bool {
	switch p {
	case "/healthz", "/readyz", "/metrics", "/v1/healthz", "/v1/readyz", "/v1/metrics":
		return true
	}
	return false
}

func isMCPPath(p string) bool { return p == "/mcp" || p == "/v1/mcp" }

// closeOnDrain ends a long-lived request (a stateful session's GET stream,
// an event stream) during shutdown, once the calls in flight have finished,
// so that the drain does not wait for it forever.
func (s *Server) closeOnDrain(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		s.streams.Add(1)
		defer s.streams.Add(-1)
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		stop := context.AfterFunc(s.drainCtx, cancel)
		defer stop()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// statusRecorder remembers the status a handler wrote. Unwrap lets
// http.ResponseController reach the connection's Flush for SSE.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher for handlers that assert it directly.
func (w *statusRecorder) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusRecorder) statusCode() int {
	if w.status == 0 {
		// Nothing written: the server sends 200 with an empty body.
		return http.StatusOK
	}
	return w.status
}

// methodLabel bounds the method label to the methods the server serves.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// routeTemplate returns the path part of a ServeMux pattern.
func routeTemplate(pattern string) string {
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}
