// Package tenant says who is calling: it extracts the Xyte key of a request,
// and names the tenant by a short hash of that key everywhere the server keeps
// or reports per-tenant state (logs, metrics, caches, limits, tasks).
package tenant

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"

	"github.com/modelcontextprotocol/go-sdk/auth"
)

// Tenant is one Xyte organization, known by its API key. The key itself is
// only handed to the upstream client; everything else uses ID.
type Tenant struct {
	id  string
	key string
	// info is what TokenInfo returns for a Shared tenant; readers only
	// read it.
	info *auth.TokenInfo
}

// New returns the tenant for an API key.
func New(key string) Tenant {
	return Tenant{id: Hash(key), key: key}
}

// Shared returns t with its token info made once, for a tenant that serves
// many requests (a single-tenant server's own): TokenInfo then hands out
// that one instead of making one for each.
func (t Tenant) Shared() Tenant {
	info := &auth.TokenInfo{UserID: t.id}
	t.info = info
	info.Extra = map[string]any{tokenInfoKey: t}
	return t
}

// Hash returns the short id of a key: 16 hex characters of its SHA-256.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:8])
}

// ID returns the tenant's short, key-free id.
func (t Tenant) ID() string { return t.id }

// Key returns the tenant's Xyte API key. Pass it to the upstream client only.
func (t Tenant) Key() string { return t.key }

// IsZero reports whether t is the zero Tenant (no key).
func (t Tenant) IsZero() bool { return t.key == "" }

// String returns the tenant's id, never its key.
func (t Tenant) String() string { return "tenant:" + t.id }

// GoString returns the tenant's id, never its key.
func (t Tenant) GoString() string { return t.String() }

// LogValue logs the tenant's id, never its key.
func (t Tenant) LogValue() slog.Value { return slog.StringValue(t.id) }

// MarshalText encodes the tenant's id, never its key.
func (t Tenant) MarshalText() ([]byte, error) { return []byte(t.id), nil }

type contextKey struct{}

// NewContext returns ctx carrying t.
func NewContext(ctx context.Context, t Tenant) context.Context {
	return context.WithValue(ctx, contextKey{}, t)
}

// FromContext returns the tenant ctx carries.
func FromContext(ctx context.Context) (Tenant, bool) {
	t, ok := ctx.Value(contextKey{}).(Tenant)
	return t, ok && !t.IsZero()
}

// tokenInfoKey is where TokenInfo carries the Tenant.
const tokenInfoKey = "xyte_tenant"

// TokenInfo returns the go-sdk token info for t. UserID is the tenant id, so
// the SDK binds any MCP session to the tenant that opened it. A Shared
// tenant's is shared by all its requests: do not change it.
func (t Tenant) TokenInfo() *auth.TokenInfo {
	if t.info != nil {
		return t.info
	}
	return &auth.TokenInfo{UserID: t.id, Extra: map[string]any{tokenInfoKey: t}}
}

// FromTokenInfo returns the tenant that TokenInfo carries.
func FromTokenInfo(ti *auth.TokenInfo) (Tenant, bool) {
	if ti == nil {
		return Tenant{}, false
	}
	t, ok := ti.Extra[tokenInfoKey].(Tenant)
	return t, ok && !t.IsZero()
}
