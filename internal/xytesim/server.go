package xytesim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxBodyBytes bounds a request body; larger bodies answer 413.
const maxBodyBytes = 1 << 20

// Server is a simulated Xyte hub serving the Organization API under
// OrgPrefix and the Partner API under PartnerPrefix, on any host. It
// implements http.Handler; AdminHandler serves its control API. All methods
// are safe for concurrent use.
type Server struct {
	cfg    Config
	now    func() time.Time
	ref    time.Time // the clock at New, to the minute: seed times are relative to it
	mux    *http.ServeMux
	faults *faultSet
	log    *requestLog

	// byKey and partners are fixed at New; only organizations created
	// through the Partner API are added later, and they have no key.
	byKey    map[string]*org
	partners map[string]bool

	mu      sync.Mutex // guards everything below; every handler runs under it
	orgs    []*org
	catalog *catalog
}

// New returns a Server seeded from cfg. It panics if cfg is invalid (see
// Config.Validate): a bad simulator configuration is a programming error.
func New(cfg Config) *Server {
	if err := cfg.Validate(); err != nil {
		panic("xytesim: " + err.Error())
	}
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:      cfg,
		now:      cfg.Now,
		ref:      cfg.Now().UTC().Truncate(time.Minute),
		faults:   newFaultSet(cfg.Seed, cfg.Faults),
		log:      &requestLog{limit: cfg.RequestLogLimit},
		byKey:    map[string]*org{},
		partners: map[string]bool{},
	}
	s.catalog = seedCatalog(cfg.Seed, s.ref)
	for i, o := range cfg.Orgs {
		seeded := seedOrg(o, i, cfg.Seed, s.ref, s.catalog)
		s.orgs = append(s.orgs, seeded)
		s.byKey[o.Key] = seeded
	}
	for _, k := range cfg.PartnerKeys {
		s.partners[k] = true
	}
	s.mux = s.newMux()
	return s
}

// ServeHTTP serves both APIs.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !isCleanPath(r.URL.EscapedPath()) {
		// ServeMux would redirect to the cleaned path; the hub routes the
		// path as sent, so "..", "." and "//" never reach another endpoint.
		s.serve(w, r, nil)
		return
	}
	s.mux.ServeHTTP(w, shield(r))
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []Request { return s.log.list() }

// ClearRequests empties the request log.
func (s *Server) ClearRequests() { s.log.clear() }

// SetFaults replaces the injected faults, resetting their counters. Nothing
// changes if a fault is invalid.
func (s *Server) SetFaults(f ...Fault) error {
	for i, one := range f {
		if err := one.Validate(); err != nil {
			return fmt.Errorf("set fault %d: %w", i, err)
		}
	}
	s.faults.set(f)
	return nil
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() { s.faults.set(nil) }

// serve is the pipeline of every request: record it, decide its faults,
// read and log the body, then inject the fault or authenticate and run the
// endpoint.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt *route) {
	req := newRequest(r, rt, s.now())
	who, authOK := s.authenticate(r, rt)
	if who != nil {
		req.Org = who.name
	}
	plan := s.faults.plan(rt.matchKeys())
	req.Fault = plan.kind()

	var body []byte
	var bodyErr error
	if plan.kind() != faultDrop {
		body, bodyErr = readBody(r)
		req.Body = body
	}
	s.log.add(req)

	if plan.latency > 0 && !sleepContext(r.Context(), plan.latency) {
		return
	}
	var status int
	switch {
	case plan.action != nil:
		status = s.inject(w, r, *plan.action)
	case errors.Is(bodyErr, errBodyTooLarge):
		status = writeError(w, http.StatusRequestEntityTooLarge, "Request body too large")
	case bodyErr != nil:
		status = writeError(w, http.StatusBadRequest, "Could not read the request body")
	default:
		status = s.dispatch(w, r, rt, body, who, authOK)
	}
	s.log.finish(req, status)
}

// dispatch answers a request that no fault took over.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request, rt *route,
	body []byte, who *org, authOK bool) int {
	switch {
	case rt == nil:
		return writeError(w, http.StatusNotFound, "Not found")
	case !authOK:
		return writeError(w, http.StatusUnauthorized, "Unauthorized")
	case who != nil && who.readOnly && !isRead(r.Method):
		return writeError(w, http.StatusForbidden, "This API key is read-only")
	}
	c := &call{r: r, body: body, org: who, now: s.now().UTC()}
	status, data := s.run(rt, c)
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return status
	}
	return writeJSON(w, status, data)
}

// run calls the endpoint under the lock and encodes its answer while the
// data it points into cannot change.
func (s *Server) run(rt *route, c *call) (int, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, err := rt.handle(s, c)
	if err != nil {
		return errorStatus(err), errorBody(err.Error())
	}
	if _, ok := v.(noContent); ok {
		return http.StatusNoContent, nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return http.StatusInternalServerError, errorBody("Internal server error")
	}
	return http.StatusOK, data
}

// authenticate matches the whole Authorization value against the keys of
// the route's API and returns the caller's org (nil for a partner key).
// Organization keys never work on the Partner API and partner keys never on
// the Organization API.
func (s *Server) authenticate(r *http.Request, rt *route) (*org, bool) {
	values := r.Header.Values("Authorization")
	if rt == nil || len(values) != 1 {
		return nil, false
	}
	key := values[0]
	if s.cfg.LenientBearer && len(key) > 7 && strings.EqualFold(key[:7], "bearer ") {
		key = strings.TrimSpace(key[7:])
	}
	if rt.partner {
		return nil, s.partners[key]
	}
	o, ok := s.byKey[key]
	return o, ok
}

// inject carries out a fault's action and returns the status written, or 0.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, f Fault) int {
	switch f.action() {
	case faultHang:
		<-r.Context().Done()
		return 0
	case faultDrop, faultDropAfterBody:
		dropConnection(w)
		return 0
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.retryAfter(s.now()))
	}
	return writeError(w, f.status(), http.StatusText(f.status()))
}

// dropConnection closes the client connection without writing a response.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 cannot be hijacked; aborting the handler resets the stream.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// errBodyTooLarge reports a body over maxBodyBytes.
var errBodyTooLarge = errors.New("request body too large")

// readBody reads the whole body, up to maxBodyBytes.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return body, err
	}
	if len(body) > maxBodyBytes {
		return body[:maxBodyBytes], errBodyTooLarge
	}
	return body, nil
}

// sleepContext waits for d, or until ctx ends; it reports whether d passed.
func sleepContext(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// isRead reports whether a method only reads: every other method is a write
// for read-only keys (reference §4).
func isRead(method string) bool {
	return method == http.MethodGet || method == http.MethodHead
}
