// Package logging builds the server's one log format: JSON lines from
// log/slog, with the request id of the request being served, and with every
// secret scrubbed out.
//
// Scrubbing works on three levels. Attributes whose names look like secrets
// (authorization, api_key, token, password, ...) are replaced whole. The
// server's own keys, given at construction, are cut out of every message and
// value, and so is every piece of one six bytes long or more. The key of the
// tenant a context carries is cut out the same way from every record logged
// with that context.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// Redacted replaces a secret.
const Redacted = tenant.Redacted

// minSecretLen is the shortest value treated as a secret to scrub; shorter
// values would match ordinary text.
const minSecretLen = tenant.MinFragment

type requestIDKey struct{}

// WithRequestID returns ctx carrying a request id for log records.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// New returns a JSON logger on w at level that scrubs the given secrets (the
// server key, the partner key, ...) and every per-request key.
func New(w io.Writer, level slog.Leveler, secrets ...string) *slog.Logger {
	return slog.New(NewHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}), secrets...))
}

// NewHandler wraps next with request ids and scrubbing.
func NewHandler(next slog.Handler, secrets ...string) slog.Handler {
	var keep []string
	for _, s := range secrets {
		if len(strings.TrimSpace(s)) >= minSecretLen {
			keep = append(keep, strings.TrimSpace(s))
		}
	}
	return &handler{next: next, secrets: keep}
}

type handler struct {
	next    slog.Handler
	secrets []string
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	secrets := h.secrets
	if t, ok := tenant.FromContext(ctx); ok && len(t.Key()) >= minSecretLen {
		secrets = append(secrets[:len(secrets):len(secrets)], t.Key())
	}
	out := slog.NewRecord(r.Time, r.Level, scrub(r.Message, secrets), r.PC)
	if id := RequestID(ctx); id != "" {
		out.AddAttrs(slog.String("request_id", id))
	}
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(scrubAttr(a, secrets))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = scrubAttr(a, h.secrets)
	}
	return &handler{next: h.next.WithAttrs(clean), secrets: h.secrets}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{next: h.next.WithGroup(name), secrets: h.secrets}
}

// secretNames are attribute names (lower case, without _ and -) whose values
// are never logged.
var secretNames = []string{"authorization", "apikey", "key", "token", "secret", "password",
	"passwd", "cookie", "credential", "xyteapikey", "partnerkey", "bearer"}

func secretName(name string) bool {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(name))
	for _, s := range secretNames {
		if n == s || strings.HasSuffix(n, s) {
			return true
		}
	}
	return false
}

func scrubAttr(a slog.Attr, secrets []string) slog.Attr {
	if secretName(a.Key) && a.Value.Kind() != slog.KindGroup {
		return slog.String(a.Key, Redacted)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, scrub(v.String(), secrets))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = scrubAttr(g, secrets)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, scrub(err.Error(), secrets))
		}
		if len(secrets) > 0 {
			return slog.String(a.Key, scrub(fmt.Sprint(v.Any()), secrets))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// scrub cuts every secret, and every piece of one long enough to tell
// anything, out of s.
func scrub(s string, secrets []string) string {
	if len(secrets) == 0 {
		return s
	}
	return tenant.Redact(s, secrets...)
}

// Demote returns a logger that writes l's records below warn at debug level.
// It is for libraries that log every request or session at info, which
// would drown the server's own lines; their warnings and errors keep their
// level.
func Demote(l *slog.Logger) *slog.Logger {
	return slog.New(&demoted{next: l.Handler()})
}

type demoted struct{ next slog.Handler }

func (h *demoted) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, demote(l))
}

func (h *demoted) Handle(ctx context.Context, r slog.Record) error {
	r.Level = demote(r.Level)
	return h.next.Handle(ctx, r)
}

func (h *demoted) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &demoted{next: h.next.WithAttrs(attrs)}
}

func (h *demoted) WithGroup(name string) slog.Handler {
	return &demoted{next: h.next.WithGroup(name)}
}

func demote(l slog.Level) slog.Level {
	if l < slog.LevelWarn {
		return slog.LevelDebug
	}
	return l
}
