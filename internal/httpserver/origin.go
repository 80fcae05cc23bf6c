package httpserver

import (
	"net/http"
	"slices"
	"strings"

	"github.com/xyte-mcp/xyte-mcp/internal/rest"
)

// CORS header values. The exposed headers are the ones MCP clients in a
// browser must read; the allowed ones are what they send.
const (
	corsAllowMethods = "GET, POST, PUT, DELETE, OPTIONS"
	corsAllowHeaders = "Authorization, Content-Type, Accept, Mcp-Protocol-Version, " +
		"Mcp-Session-Id, Last-Event-ID, Mcp-Method, Mcp-Name"
	corsExposeHeaders = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, Retry-After"
)

// checkOrigin enforces the MCP rule that a request whose Origin is present
// and not allowed gets 403, before authentication or any body parsing.
// Requests with no Origin (every non-browser client) pass. Allowed: the
// server's own origin, an exact entry of Config.CORSOrigins, or any origin
// when Config.AllowAllCORS is set (answered with "*", never with
// credentials). Probes are exempt.
func (s *Server) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || isProbePath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		if !s.originAllowed(origin, r) {
			rest.WriteError(w, http.StatusForbidden, "forbidden_origin",
				"requests from this browser origin are not allowed")
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		if s.cfg.AllowAllCORS {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", corsAllowMethods)
			h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) originAllowed(origin string, r *http.Request) bool {
	switch {
	case s.cfg.AllowAllCORS:
		return true
	case slices.Contains(s.cfg.CORSOrigins, origin):
		return true
	}
	// Same origin: a page served from this host calling back.
	host, ok := strings.CutPrefix(origin, "http://")
	if !ok {
		host, ok = strings.CutPrefix(origin, "https://")
	}
	return ok && host != "" && strings.EqualFold(host, r.Host)
}
