package rest

import (
	"net/http"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// callFunc is the body of an upstream route: read the input from r (refusing
// bad input before any call), call the upstream through c, return the answer.
type callFunc func(r *http.Request, c *xyte.Client) (any, error)

// localFunc is the body of a route that answers without the upstream.
type localFunc func(r *http.Request) (any, error)

// upstream returns a route that calls the Xyte API with the tenant's key.
func (a *API) upstream(method, path string, fn callFunc, doc routeDoc) Route {
	write := method != http.MethodGet
	doc.write = write
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if write && a.opts.ReadOnly {
			WriteError(w, http.StatusForbidden, CodeReadOnly,
				"this server is read-only: every write is refused")
			return
		}
		c, ok := a.clientFor(r.Context())
		if !ok {
			writeNoTenant(w)
			return
		}
		v, err := fn(r, c)
		if err != nil {
			a.writeFailure(w, r, err, write)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	return Route{Method: method, Path: path, Handler: h, doc: doc}
}

// local returns a route that answers from this server alone. Unless public,
// it still needs a tenant, like every route that shows the server's surface.
func (a *API) local(path string, public bool, fn localFunc, doc routeDoc) Route {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := tenant.FromContext(r.Context()); !ok && !public {
			writeNoTenant(w)
			return
		}
		v, err := fn(r)
		if err != nil {
			a.writeFailure(w, r, err, false)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	return Route{Method: http.MethodGet, Path: path, Public: public, Handler: h, doc: doc}
}

// writeNoTenant answers a request that reached a route without a tenant: the
// server's authentication did not run, which is a wiring fault, but the
// answer must still be a refusal.
func writeNoTenant(w http.ResponseWriter) {
	w.Header().Set("WWW-Authenticate", "Bearer")
	WriteError(w, http.StatusUnauthorized, CodeMissingKey,
		"send a Xyte API key in the Authorization header")
}
