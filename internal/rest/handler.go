package rest

import (
	"errors"
	"net/http"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/logging"
	"github.com/xyte-mcp/xyte-mcp/internal/plugins"
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
		if write {
			a.audit(r, path, err)
		}
		if err != nil {
			a.writeFailure(w, r, err, write)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
	return Route{Method: method, Path: path, Handler: h, doc: doc}
}

// audit reports a write route's call to opts.Audit: the route template, the
// ids in its path and how it ended. Bodies are not recorded.
func (a *API) audit(r *http.Request, path string, err error) {
	if a.opts.Audit == nil {
		return
	}
	rec := plugins.AuditRecord{Time: time.Now().UTC(), Action: r.Method + " " + path,
		RequestID: logging.RequestID(r.Context()), Outcome: plugins.OutcomeSuccess}
	if t, ok := tenant.FromContext(r.Context()); ok {
		rec.Tenant = t.ID()
	}
	for _, name := range []string{"device_id", "command_id", "ticket_id", "task_id"} {
		if v := r.PathValue(name); v != "" && len(v) <= 128 {
			rec.Targets = append(rec.Targets, name+"="+v)
		}
	}
	var xe *xyte.Error
	switch {
	case errors.As(err, &xe) && xe.OutcomeUnknown:
		rec.Outcome = plugins.OutcomeUnknown
	case err != nil:
		rec.Outcome = plugins.OutcomeFailure
	}
	a.opts.Audit(rec)
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
