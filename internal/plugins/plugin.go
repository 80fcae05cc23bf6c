// Package plugins runs extensions compiled into the binary: each sees every
// stored event and an audit record of every write action, without ever
// slowing a request.
//
// A plugin is a Go type that implements Plugin, registered under a name in
// the Registry; XYTE_PLUGINS chooses which registered plugins run. The
// Manager gives each running plugin a bounded queue and one delivery at a
// time with a timeout; a plugin that panics, fails or hangs loses its own
// deliveries only, and each failure is counted in
// xyte_mcp_plugin_failures_total{plugin,kind}.
package plugins

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
)

// APIVersion is the version of the plugin interface this binary offers. A
// plugin declares the version it was written for in its Registration; a
// different one is refused at registration, before anything runs.
const APIVersion = 1

// Plugin is an extension. The Manager calls one method at a time per
// plugin, so a plugin needs no locking of its own for these calls.
type Plugin interface {
	// Start prepares the plugin (opens files, starts workers). An error
	// stops the server from starting.
	Start(ctx context.Context) error
	// Stop releases the plugin's resources, delivering what it still holds
	// until ctx ends.
	Stop(ctx context.Context) error
	// HandleEvent reacts to one event stored for a tenant. ctx ends at the
	// Manager's timeout.
	HandleEvent(ctx context.Context, tenantID string, e events.Event) error
	// HandleAudit reacts to one write action. ctx ends at the Manager's
	// timeout.
	HandleAudit(ctx context.Context, rec AuditRecord) error
}

// ErrDropped is returned (wrapped or not) by a plugin that could not take a
// delivery because its own queue is full; it is counted as kind "dropped".
var ErrDropped = errors.New("plugin queue full; delivery dropped")

// Outcomes of an audited write action.
const (
	OutcomeSuccess = "success" // the upstream accepted the write
	OutcomeFailure = "failure" // the upstream or the server refused it
	OutcomeUnknown = "unknown" // sent, but no answer came back
)

// AuditRecord describes one write action (a tool call or REST request that
// changes something). It never holds a key.
type AuditRecord struct {
	// Time is when the action finished.
	Time time.Time `json:"time"`
	// Tenant is the tenant id (tenant.Tenant.ID, a hash), never the key.
	Tenant string `json:"tenant"`
	// Action names the tool or the endpoint route, such as "send_command"
	// or "POST /v1/devices/{id}/commands".
	Action string `json:"action"`
	// Targets are the ids the action addressed (devices, tickets, ...).
	Targets []string `json:"targets,omitempty"`
	// Outcome is OutcomeSuccess, OutcomeFailure or OutcomeUnknown.
	Outcome string `json:"outcome"`
	// DryRun is set when the action was only planned, not sent.
	DryRun bool `json:"dry_run"`
	// RequestID ties the record to the request log.
	RequestID string `json:"request_id,omitempty"`
}

// Env is what a plugin's constructor gets. Each built-in plugin reads its
// own options; a new plugin adds a field here for its options.
type Env struct {
	// Logger is the plugin's logger, with the plugin's name attached.
	Logger *slog.Logger
	// Registerer takes the plugin's own metrics, if it has any. Never nil.
	Registerer prometheus.Registerer
	// FailFunc reports a failure that happened away from a Handle call (a
	// webhook delivery that ran out of retries): it is counted under the
	// given kind and logged once per plugin, like the Manager's own.
	FailFunc func(kind string, err error)
	// Webhook holds the webhook plugin's options.
	Webhook WebhookOptions
	// Audit holds the audit plugin's options.
	Audit AuditOptions
}

// Registration names a plugin and says how to make it.
type Registration struct {
	// Name is what XYTE_PLUGINS lists: lower-case letters, digits, '-' or
	// '_'.
	Name string
	// APIVersion is the APIVersion the plugin was written for.
	APIVersion int
	// NewFunc makes the plugin. It should only check options and allocate;
	// Start does the work.
	NewFunc func(Env) (Plugin, error)
}

// Registry holds the plugins compiled into the binary.
type Registry struct {
	regs map[string]Registration
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{regs: make(map[string]Registration)} }

// Builtin returns a registry of the plugins that ship with the server:
// "webhook" and "audit". Register a new plugin here (or on the returned
// registry) to compile it in.
func Builtin() *Registry {
	r := NewRegistry()
	for _, reg := range []Registration{
		{Name: "webhook", APIVersion: APIVersion, NewFunc: newWebhook},
		{Name: "audit", APIVersion: APIVersion, NewFunc: newAudit},
	} {
		if err := r.Register(reg); err != nil {
			panic(err) // a built-in plugin that does not register is a build error
		}
	}
	return r
}

// Register adds reg. It refuses a bad or taken name, a missing constructor
// and an APIVersion other than this binary's.
func (r *Registry) Register(reg Registration) error {
	switch {
	case !validName(reg.Name):
		return fmt.Errorf("register plugin %q: the name must be 1 to 32 lower-case letters, "+
			"digits, '-' or '_'", reg.Name)
	case reg.NewFunc == nil:
		return fmt.Errorf("register plugin %q: no constructor", reg.Name)
	case reg.APIVersion != APIVersion:
		return fmt.Errorf("register plugin %q: written for plugin API version %d, "+
			"this server offers version %d", reg.Name, reg.APIVersion, APIVersion)
	}
	if _, taken := r.regs[reg.Name]; taken {
		return fmt.Errorf("register plugin %q: the name is taken", reg.Name)
	}
	r.regs[reg.Name] = reg
	return nil
}

// Names returns the registered names, sorted.
func (r *Registry) Names() []string {
	names := make([]string, 0, len(r.regs))
	for n := range r.regs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// lookup returns the registrations of names, in order. An unknown or
// repeated name is an error that lists the known ones.
func (r *Registry) lookup(names []string) ([]Registration, error) {
	var out []Registration
	seen := make(map[string]bool)
	for _, n := range names {
		n = strings.TrimSpace(n)
		reg, ok := r.regs[n]
		switch {
		case n == "":
			continue
		case !ok:
			return nil, fmt.Errorf("XYTE_PLUGINS: unknown plugin %q; known plugins: %s",
				n, strings.Join(r.Names(), ", "))
		case seen[n]:
			return nil, fmt.Errorf("XYTE_PLUGINS: plugin %q is listed twice", n)
		}
		seen[n] = true
		out = append(out, reg)
	}
	return out, nil
}

func validName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		lower, digit := c >= 'a' && c <= 'z', c >= '0' && c <= '9'
		if !lower && !digit && c != '-' && c != '_' {
			return false
		}
	}
	return true
}
