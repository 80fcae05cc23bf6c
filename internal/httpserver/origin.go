package httpserver

import (
	"net/http"
	"slices"

	"github.com/xyte-mcp/xyte-mcp/internal/rest"
)

// CORS header values. The exposed headers are the ones MCP clients in a
// browser must read, on successes and errors alike; the allowed ones are what
// they send.
const (
	corsAllowMethods = "GET, POST, PUT, DELETE"
	corsAllowHeaders = "Authorization, Content-Type, Accept, Mcp-Protocol-Version, " +
		"Mcp-Session-Id, Last-Event-ID, Mcp-Method, Mcp-Name, X-Request-Id"
	corsExposeHeaders = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate, Retry-After, " +
		"X-Request-Id"
)

// checkOrigin applies CORS and the MCP rule against DNS rebinding: a request
// whose Origin is present and not allowed gets 403 before its body is read,
// before authentication and before any upstream call. Requests with no Origin
// (every non-browser client) pass. Allowed origins are exact entries of
// Config.CORSOrigins, or any origin when Config.AllowAllCORS is set, which
// is answered with "*" and never with credentials. The server's own host is
// not trusted by itself: under DNS rebinding, an attacker's page has it.
//
// Preflights of allowed origins are answered here, so they need no key.
// Probes are exempt: they answer anyone.
func (s *Server) checkOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isProbePath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		// Every answer depends on Origin, so no cache may share one between
		// origins, including the answer to a request without one.
		w.Header().Add("Vary", "Origin")
		origin, sent := r.Header["Origin"]
		if !sent {
			next.ServeHTTP(w, r)
			return
		}
		if len(origin) != 1 || !s.originAllowed(origin[0]) {
			rest.WriteError(w, http.StatusForbidden, "forbidden_origin",
				"requests from this browser origin are not allowed")
			return
		}
		h := w.Header()
		if s.cfg.AllowAllCORS {
			h.Set("Access-Control-Allow-Origin", "*")
		} else {
			h.Set("Access-Control-Allow-Origin", origin[0])
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

// originAllowed reports whether a browser origin may call the server. The
// match is exact: no prefix, suffix, case folding or wildcard.
func (s *Server) originAllowed(origin string) bool {
	return s.cfg.AllowAllCORS || slices.Contains(s.cfg.CORSOrigins, origin)
}
