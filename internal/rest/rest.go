// Package rest serves the plain HTTP API under /v1: the same Xyte calls as
// the MCP tools, as JSON over ordinary routes, with an OpenAPI 3.1 document
// that describes every route.
//
// The package knows nothing of authentication or of the router: the HTTP
// server authenticates each request, puts its tenant in the context
// (tenant.NewContext) and registers Routes on its own mux. Every handler calls
// the upstream with that tenant's key and never with any other.
package rest

import (
	"context"
	"log/slog"
	"net/http"
	"sync"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/xyte-mcp/xyte-mcp/internal/plugins"
	"github.com/xyte-mcp/xyte-mcp/internal/tasks"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Options configures an API.
type Options struct {
	// Client is the upstream client. Each request uses a copy carrying its
	// tenant's key (Client.WithKey); the key Client itself holds is unused.
	Client *xyte.Client
	// MCP is the MCP server whose tools and resources /v1/tools and
	// /v1/resources list. Nil lists none.
	MCP *mcp.Server
	// ReadOnly refuses every route that writes, with 403 read_only.
	ReadOnly bool
	// Logger receives failures that are the server's own fault. Default: none.
	Logger *slog.Logger
	// Version is the server version shown in the OpenAPI document.
	Version string
	// Tasks, when set, serves the /v1/tasks routes (commands sent as
	// background tasks).
	Tasks tasks.Service
	// Audit, when set, receives a record of every write route called.
	Audit func(plugins.AuditRecord)
}

// Route is one REST route.
type Route struct {
	// Method is the HTTP method: GET, POST, PUT or DELETE.
	Method string
	// Path is the full path template, with {name} wildcards as ServeMux
	// patterns write them, such as /v1/devices/{device_id}.
	Path string
	// Public routes need no Xyte key (the OpenAPI document).
	Public bool
	// Handler serves the route. It reads the tenant from the context.
	Handler http.Handler

	doc routeDoc
}

// Pattern returns the ServeMux pattern of the route, "METHOD /path".
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// API is the set of REST routes. It is safe for concurrent use.
type API struct {
	opts   Options
	logger *slog.Logger
	routes []Route

	listMu sync.Mutex
	lists  *catalogLists // tools and resources, cached once listed

	docMu sync.Mutex
	doc   map[string]any // the OpenAPI document, built once
}

// New returns the REST API for opts.
func New(opts Options) *API {
	a := &API{opts: opts, logger: opts.Logger}
	if a.logger == nil {
		a.logger = slog.New(slog.DiscardHandler)
	}
	a.routes = a.buildRoutes()
	if opts.Tasks != nil {
		a.routes = append(a.routes, a.taskRoutes()...)
	}
	return a
}

// Routes returns every route, in a stable order.
func (a *API) Routes() []Route { return append([]Route(nil), a.routes...) }

// clientFor returns the upstream client for the request's tenant.
func (a *API) clientFor(ctx context.Context) (*xyte.Client, bool) {
	t, ok := tenant.FromContext(ctx)
	if !ok || a.opts.Client == nil {
		return nil, false
	}
	return a.opts.Client.WithKey(t.Key()), true
}
