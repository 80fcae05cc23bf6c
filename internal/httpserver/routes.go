package httpserver

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xyte-mcp/xyte-mcp/internal/logging"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
)

// newMux registers every route. Probes (also under /v1) skip
// authentication; everything else passes authenticate first.
func (s *Server) newMux(opts Options, reg *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	metricsHandler := promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	for _, prefix := range []string{"", "/v1"} {
		s.handle(mux, "GET "+prefix+"/healthz", classProbe, http.HandlerFunc(s.healthz))
		s.handle(mux, "GET "+prefix+"/readyz", classProbe, http.HandlerFunc(s.readyz))
		s.handle(mux, "GET "+prefix+"/metrics", classProbe, metricsHandler)
	}

	mcpHandler := s.authenticate(s.mcpEdge(bearerBridge(s.closeOnDrain(s.mcpHandler(opts)))))
	s.handle(mux, "/mcp", classMCP, mcpHandler)
	s.handle(mux, "/v1/mcp", classMCP, mcpHandler)

	if opts.REST != nil {
		for _, rt := range opts.REST.Routes() {
			h := rt.Handler
			if !rt.Public {
				h = s.authenticate(s.rateLimit(h))
			}
			s.handle(mux, rt.Pattern(), classAPI, h)
		}
	}
	if opts.EventIntake != nil {
		intake := s.authenticate(s.rateLimit(opts.EventIntake))
		s.handle(mux, "POST /v1/events", classAPI, intake)
		s.handle(mux, "POST /v1/webhook", classAPI, intake)
	}
	if opts.EventStream != nil {
		s.handle(mux, "GET /v1/events", classAPI,
			s.authenticate(s.closeOnDrain(opts.EventStream)))
	}
	mux.Handle("/", http.HandlerFunc(notFound))
	return mux
}

// handle registers h for pattern, labeling the request with the pattern's
// route template for metrics and the request log.
func (s *Server) handle(mux *http.ServeMux, pattern string, class routeClass, h http.Handler) {
	route := routeTemplate(pattern)
	s.routes = append(s.routes, pattern)
	mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		info.route, info.class = route, class
		h.ServeHTTP(w, r)
	}))
}

// sessionIdleTimeout closes a stateful MCP session that has seen no request
// for this long; its client then gets 404 and initializes again.
const sessionIdleTimeout = 30 * time.Minute

// mcpHandler returns the Streamable HTTP handler: stateless unless sessions
// are configured. It gets the tenant from each request's TokenInfo, never
// from a session, so the same server value serves every tenant.
func (s *Server) mcpHandler(opts Options) http.Handler {
	server := opts.MCP
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
		&mcp.StreamableHTTPOptions{
			Stateless:           !s.cfg.Sessions,
			Logger:              logging.Demote(s.logger),
			MaxRequestBodyBytes: s.cfg.MaxBodyBytes,
			// Any well-formed key opens a session before the upstream sees
			// it, so sessions left idle must not live forever.
			SessionTimeout: sessionIdleTimeout,
		})
}

// Health is the body of /healthz and /readyz.
type Health struct {
	Status string `json:"status"`
}

// healthz says the process is alive. It never looks at the upstream, so an
// outage of the Xyte API does not restart the server.
func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeHealth(w, http.StatusOK, "ok")
}

// readyz says whether the server takes new work: 503 once shutdown begins.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeHealth(w, http.StatusServiceUnavailable, "draining")
		return
	}
	if s.ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.ready(ctx); err != nil {
			writeHealth(w, http.StatusServiceUnavailable, "not ready")
			return
		}
	}
	writeHealth(w, http.StatusOK, "ready")
}

func writeHealth(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(Health{Status: text})
}

func notFound(w http.ResponseWriter, _ *http.Request) {
	rest.WriteError(w, http.StatusNotFound, rest.CodeNotFoundRoute, "no such route")
}
