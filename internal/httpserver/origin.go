package httpserver

import (
	"net"
	"net/http"
	"slices"
	"strings"

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
// is answered with "*" and never with credentials, and the server's own
// origin on a loopback address. The server's own host name in general is not
// trusted: under DNS rebinding an attacker's page has exactly that, in Host
// and Origin alike, but never a loopback one.
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
		if len(origin) != 1 || !s.originAllowed(origin[0], r.Host) {
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

// originAllowed reports whether a browser origin may call the server, which
// the request reached as host. The match is exact: no prefix, suffix, case
// folding or wildcard.
func (s *Server) originAllowed(origin, host string) bool {
	return s.cfg.AllowAllCORS || slices.Contains(s.cfg.CORSOrigins, origin) ||
		sameLoopbackOrigin(origin, host)
}

// sameLoopbackOrigin reports whether origin is the server's own origin on a
// loopback address: a page of this very server calling back, which the MCP
// spec's DNS rebinding rule lets through.
func sameLoopbackOrigin(origin, host string) bool {
	scheme, rest, ok := strings.Cut(origin, "://")
	if !ok || (scheme != "http" && scheme != "https") || rest != host {
		return false
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	if name == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(name, "[]"))
	return ip != nil && ip.IsLoopback()
}
