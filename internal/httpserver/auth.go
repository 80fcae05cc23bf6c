package httpserver

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/auth"

	"github.com/xyte-mcp/xyte-mcp/internal/config"
	"github.com/xyte-mcp/xyte-mcp/internal/rest"
	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// errKeyMismatch: a single-tenant server got a key other than its own.
var errKeyMismatch = errors.New("the Authorization header does not hold this server's key")

// authenticate finds the request's tenant, refuses the request if there is
// none, and passes it on with the tenant in its context. No upstream call
// happens before this check.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := s.tenantOf(r.Header)
		switch {
		case errors.Is(err, errKeyMismatch):
			w.Header().Set("WWW-Authenticate", `Bearer realm="xyte-mcp", error="invalid_token"`)
			rest.WriteError(w, http.StatusForbidden, rest.CodeInvalidToken,
				"the Authorization header does not hold this server's Xyte key; "+
					"send none, or the configured key")
			return
		case err != nil:
			w.Header().Set("WWW-Authenticate", `Bearer realm="xyte-mcp"`)
			rest.WriteError(w, http.StatusUnauthorized, rest.CodeMissingKey, err.Error())
			return
		}
		infoFrom(r.Context()).tenant = t.ID()
		next.ServeHTTP(w, r.WithContext(tenant.NewContext(r.Context(), t)))
	})
}

// tenantOf returns the tenant of a request with headers h.
//
// Multi-tenant: the request's own key, bare or as "Bearer <key>"; no key or
// a malformed header is an error. Single-tenant: the server's key. There, a
// request without the header acts with it unless Config.RequireAuth is set;
// a header with no key in it, or with several, is refused like a missing
// one, since the client clearly meant to send a key and lost it; and a
// well-formed header that names another key is errKeyMismatch, compared in
// constant time.
func (s *Server) tenantOf(h http.Header) (tenant.Tenant, error) {
	key, err := tenant.ParseAuthorization(h)
	if s.cfg.Mode() == config.MultiTenant {
		if err != nil {
			return tenant.Tenant{}, err
		}
		return tenant.New(key), nil
	}

	absent := len(h.Values("Authorization")) == 0
	switch {
	case absent && s.cfg.RequireAuth:
		return tenant.Tenant{}, err
	case absent:
		return s.serverKey, nil
	case errors.Is(err, tenant.ErrMissingKey), errors.Is(err, tenant.ErrSeveralKeys):
		return tenant.Tenant{}, err
	case err != nil, !sameKey(key, s.serverKey.Key()):
		return tenant.Tenant{}, errKeyMismatch
	}
	return s.serverKey, nil
}

// sameKey compares two keys in constant time. Hashing first makes the time
// independent of the lengths too.
func sameKey(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// bearerBridge hands the tenant that authenticate found to go-sdk, so that
// MCP handlers see it in req.Extra.TokenInfo and stateful sessions are bound
// to it: it passes on a copy of the request whose Authorization is
// "Bearer <key>", the one form go-sdk's bearer middleware reads, and the
// verifier accepts only that token for this very request.
func bearerBridge(next http.Handler) http.Handler {
	sdk := auth.RequireBearerToken(verifyTenant,
		&auth.RequireBearerTokenOptions{AllowMissingExpiration: true})(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := tenant.FromContext(r.Context()); ok {
			r = r.Clone(r.Context())
			r.Header.Set("Authorization", "Bearer "+t.Key())
		}
		sdk.ServeHTTP(w, r)
	})
}

func verifyTenant(ctx context.Context, token string, _ *http.Request) (*auth.TokenInfo, error) {
	t, ok := tenant.FromContext(ctx)
	if !ok || !sameKey(token, t.Key()) {
		return nil, auth.ErrInvalidToken
	}
	return t.TokenInfo(), nil
}
