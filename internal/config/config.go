// Package config turns the environment into one validated Config.
//
// Every setting has one field here, with its meaning, range, default and
// environment name in the field's doc. Names are compatible with the earlier
// Python server; the names Xyte's own MCP server uses are accepted as aliases.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Mode is how the server finds the Xyte key of a request.
type Mode string

// Tenancy modes.
const (
	// SingleTenant: the key lives in the server's environment (XYTE_API_KEY).
	SingleTenant Mode = "single-tenant"
	// MultiTenant: every HTTP request brings its organization's key.
	MultiTenant Mode = "multi-tenant"
)

// Config holds every setting of the server.
type Config struct {
	// APIKey is the organization API key for single-tenant mode. Unset, empty
	// or only spaces means multi-tenant mode. Env XYTE_API_KEY (alias
	// XYTE_ORG_API_KEY).
	APIKey string
	// PartnerKey is the partner API key, used by partner.* endpoints.
	// Default none. Env XYTE_PARTNER_API_KEY.
	PartnerKey string
	// BaseURL is the Xyte organization API base (or the hub root). Default
	// https://hub.xyte.io/core/v1/organization. Env XYTE_BASE_URL (alias
	// XYTE_HUB_URL).
	BaseURL string
	// UpstreamTimeout bounds each upstream call. 1s to 5m, default 15s. Env
	// XYTE_UPSTREAM_TIMEOUT (a Go duration or seconds).
	UpstreamTimeout time.Duration
	// ReadOnly removes every write tool and refuses every write. Default
	// false. Env XYTE_READ_ONLY (alias XYTE_MCP_READ_ONLY).
	ReadOnly bool
	// Listen is the HTTP address of serve. Default ":8080". Env XYTE_LISTEN.
	Listen string
	// LogLevel is debug, info, warn or error. Default info. Env XYTE_LOG_LEVEL.
	LogLevel slog.Level
	// RequireAuth makes the Authorization header mandatory in single-tenant
	// mode too. Default false. Env XYTE_REQUIRE_AUTH.
	RequireAuth bool
	// AllowAllCORS answers any browser origin with "*" (never with
	// credentials). Default false. Env XYTE_ALLOW_ALL_CORS.
	AllowAllCORS bool
	// CORSOrigins is an exact-match allowlist of browser origins. Default
	// none. Env XYTE_CORS_ORIGINS (comma-separated).
	CORSOrigins []string
	// MaxBodyBytes bounds a request body. 1 KiB to 64 MiB, default 1 MiB.
	// Env XYTE_MAX_BODY_BYTES.
	MaxBodyBytes int64
	// ShutdownTimeout bounds the drain of in-flight requests on SIGTERM. 0s
	// to 10m, default 20s. Env XYTE_SHUTDOWN_TIMEOUT.
	ShutdownTimeout time.Duration
	// Sessions turns on stateful MCP sessions over HTTP (needed for
	// set_context and subscriptions); replicas then need sticky routing.
	// Default false. Env XYTE_MCP_SESSIONS.
	Sessions bool
	// PresetsDir holds meeting-room preset YAML files added to the built-in
	// ones. Default none. Env XYTE_PRESETS_DIR.
	PresetsDir string
	// ExperimentalAPIs turns on resources that rest on undocumented hub
	// behaviour. Default false. Env XYTE_EXPERIMENTAL_APIS.
	ExperimentalAPIs bool
	// CacheTTL is how long a successful read answer is kept per tenant. 0s
	// (or 0) turns the cache off; at most 1h. Default 60s. Env
	// XYTE_CACHE_TTL (seconds or a Go duration).
	CacheTTL time.Duration
	// CacheMaxBytes bounds the response cache's memory, counting each
	// answer as four times its body (xyte.Response.Weight). 1 MiB to 4 GiB,
	// default 64 MiB. Env XYTE_CACHE_MAX_BYTES.
	CacheMaxBytes int64
	// RateLimit is each tenant's average budget of REST requests and MCP
	// tool calls per minute. 0 turns limits off; at most 1,000,000. Default
	// 120. Env XYTE_RATE_LIMIT.
	RateLimit int64
	// RateBurst is how many requests a tenant may make at once before the
	// average applies. 1 to 1,000,000, default 60. Env XYTE_RATE_BURST.
	RateBurst int64
	// RedisURL, when set, shares rate limits (and event streams) between
	// replicas through Redis, such as redis://redis:6379/0. Default none.
	// Env REDIS_URL.
	RedisURL string

	// AsyncTasks queues commands sent with send_command_async (and REST
	// async sends) instead of sending them at once. Default false. Env
	// ENABLE_ASYNC_TASKS.
	AsyncTasks bool
	// DatabaseURL is the PostgreSQL task store (postgres:// or
	// postgresql://), shared by servers and workers. Empty means SQLite under
	// DataDir. Env DATABASE_URL.
	DatabaseURL string
	// DataDir holds the SQLite task store. Default ./data. Env XYTE_DATA_DIR.
	DataDir string
	// TaskSecret seals callers' keys while their tasks wait: at least 32
	// characters; required for async tasks in multi-tenant mode. Env
	// XYTE_TASK_SECRET.
	TaskSecret string
	// TaskWorkers is how many commands one process sends at once. 1 to 100,
	// default 4. Env XYTE_TASK_WORKERS.
	TaskWorkers int64
	// ServeWorkers runs task workers inside serve as well; turn it off when
	// separate worker processes run. Default true. Env XYTE_SERVE_WORKERS.
	ServeWorkers bool

	// Plugins names the compiled-in plugins to run (webhook, audit).
	// Default none. Env XYTE_PLUGINS (comma-separated).
	Plugins []string
	// WebhookSecret, when set, makes event intake require an HMAC-SHA256
	// signature (X-Xyte-Signature); at least 16 characters. Env
	// XYTE_WEBHOOK_SECRET.
	WebhookSecret string
	// WebhookTolerance is how old a signed delivery may be. 30s to 1h,
	// default 5m. Env XYTE_WEBHOOK_TOLERANCE.
	WebhookTolerance time.Duration
	// WebhookURLs are where the webhook plugin forwards events and audit
	// records. Env XYTE_WEBHOOK_URLS (comma-separated http or https URLs).
	WebhookURLs []string
	// WebhookOutSecret signs the webhook plugin's deliveries. Default
	// WebhookSecret. Env XYTE_WEBHOOK_OUT_SECRET.
	WebhookOutSecret string
	// AuditFile is where the audit plugin writes. Default stderr. Env
	// XYTE_AUDIT_FILE.
	AuditFile string
	// EventsBuffer is how many recent events are kept per tenant. 10 to
	// 100,000, default 1000. Env XYTE_EVENTS_BUFFER.
	EventsBuffer int64
	// EventsKeepAlive is the interval of keep-alive comments on idle event
	// streams. 1s to 5m, default 15s. Env XYTE_EVENTS_KEEPALIVE.
	EventsKeepAlive time.Duration
}

// Secrets returns every secret value the configuration holds, for log
// scrubbing: keys, task and webhook secrets, and passwords inside URLs.
func (c Config) Secrets() []string {
	out := []string{c.APIKey, c.PartnerKey, c.TaskSecret, c.WebhookSecret, c.WebhookOutSecret}
	for _, raw := range []string{c.DatabaseURL, c.RedisURL} {
		if u, err := url.Parse(raw); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok {
				out = append(out, pw)
			}
		}
	}
	return out
}

// Mode returns the tenancy mode the configuration selects.
func (c Config) Mode() Mode {
	if c.APIKey == "" {
		return MultiTenant
	}
	return SingleTenant
}

// Defaults returns the configuration used when the environment is empty.
func Defaults() Config {
	return Config{
		BaseURL:          "https://hub.xyte.io/core/v1/organization",
		UpstreamTimeout:  15 * time.Second,
		Listen:           ":8080",
		LogLevel:         slog.LevelInfo,
		MaxBodyBytes:     1 << 20,
		ShutdownTimeout:  20 * time.Second,
		CacheTTL:         60 * time.Second,
		CacheMaxBytes:    64 << 20,
		RateLimit:        120,
		RateBurst:        60,
		DataDir:          "./data",
		TaskWorkers:      4,
		ServeWorkers:     true,
		WebhookTolerance: 5 * time.Minute,
		EventsBuffer:     1000,
		EventsKeepAlive:  15 * time.Second,
	}
}

// Load reads the configuration from getenv (os.Getenv in production) and
// validates it. Every problem is reported, each naming its variable but never
// a secret's value.
func Load(getenv func(string) string) (Config, error) {
	c := Defaults()
	r := reader{getenv: getenv}
	c.APIKey = strings.TrimSpace(r.str("XYTE_API_KEY", "XYTE_ORG_API_KEY"))
	c.PartnerKey = strings.TrimSpace(r.str("XYTE_PARTNER_API_KEY"))
	r.setString(&c.BaseURL, "XYTE_BASE_URL", "XYTE_HUB_URL")
	r.setDuration(&c.UpstreamTimeout, time.Second, 5*time.Minute, "XYTE_UPSTREAM_TIMEOUT")
	r.setBool(&c.ReadOnly, "XYTE_READ_ONLY", "XYTE_MCP_READ_ONLY")
	r.setString(&c.Listen, "XYTE_LISTEN")
	r.setLevel(&c.LogLevel, "XYTE_LOG_LEVEL")
	r.setBool(&c.RequireAuth, "XYTE_REQUIRE_AUTH")
	r.setBool(&c.AllowAllCORS, "XYTE_ALLOW_ALL_CORS")
	r.setList(&c.CORSOrigins, "XYTE_CORS_ORIGINS")
	r.setInt(&c.MaxBodyBytes, 1<<10, 64<<20, "XYTE_MAX_BODY_BYTES")
	r.setDuration(&c.ShutdownTimeout, 0, 10*time.Minute, "XYTE_SHUTDOWN_TIMEOUT")
	r.setBool(&c.Sessions, "XYTE_MCP_SESSIONS")
	r.setString(&c.PresetsDir, "XYTE_PRESETS_DIR")
	r.setBool(&c.ExperimentalAPIs, "XYTE_EXPERIMENTAL_APIS")
	r.setDuration(&c.CacheTTL, 0, time.Hour, "XYTE_CACHE_TTL")
	r.setInt(&c.CacheMaxBytes, 1<<20, 4<<30, "XYTE_CACHE_MAX_BYTES")
	r.setInt(&c.RateLimit, 0, 1_000_000, "XYTE_RATE_LIMIT")
	r.setInt(&c.RateBurst, 1, 1_000_000, "XYTE_RATE_BURST")
	r.setString(&c.RedisURL, "REDIS_URL")
	r.setBool(&c.AsyncTasks, "ENABLE_ASYNC_TASKS")
	r.setString(&c.DatabaseURL, "DATABASE_URL")
	r.setString(&c.DataDir, "XYTE_DATA_DIR")
	c.TaskSecret = strings.TrimSpace(r.str("XYTE_TASK_SECRET"))
	r.setInt(&c.TaskWorkers, 1, 100, "XYTE_TASK_WORKERS")
	r.setBool(&c.ServeWorkers, "XYTE_SERVE_WORKERS")
	r.setList(&c.Plugins, "XYTE_PLUGINS")
	c.WebhookSecret = strings.TrimSpace(r.str("XYTE_WEBHOOK_SECRET"))
	r.setDuration(&c.WebhookTolerance, 30*time.Second, time.Hour, "XYTE_WEBHOOK_TOLERANCE")
	r.setList(&c.WebhookURLs, "XYTE_WEBHOOK_URLS")
	c.WebhookOutSecret = strings.TrimSpace(r.str("XYTE_WEBHOOK_OUT_SECRET"))
	r.setString(&c.AuditFile, "XYTE_AUDIT_FILE")
	r.setInt(&c.EventsBuffer, 10, 100_000, "XYTE_EVENTS_BUFFER")
	r.setDuration(&c.EventsKeepAlive, time.Second, 5*time.Minute, "XYTE_EVENTS_KEEPALIVE")
	if err := c.validate(); err != nil {
		r.errs = append(r.errs, err)
	}
	return c, errors.Join(r.errs...)
}

// validate checks rules that span fields or need more than a parse, and
// reports every rule broken, not only the first.
func (c Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, errors.New("XYTE_LISTEN: must be host:port, such as :8080 or 127.0.0.1:8080"))
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") &&
		!strings.HasPrefix(c.RedisURL, "rediss://") {
		errs = append(errs, errors.New("REDIS_URL: must start with redis:// or rediss://"))
	}
	errs = append(errs, c.validateTasks(), c.validateEvents())
	for _, o := range c.CORSOrigins {
		if o == "*" || !strings.Contains(o, "://") {
			errs = append(errs, errors.New("XYTE_CORS_ORIGINS: each origin must be "+
				"scheme://host[:port] (use XYTE_ALLOW_ALL_CORS for any origin)"))
			break
		}
	}
	return errors.Join(errs...)
}

// minTaskSecret and minWebhookSecret are the shortest secrets accepted.
const (
	minTaskSecret    = 32
	minWebhookSecret = 16
)

func (c Config) validateTasks() error {
	var errs []error
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") &&
		!strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, errors.New("DATABASE_URL: must be a postgres:// or postgresql:// URL "+
			"(leave it empty for SQLite under XYTE_DATA_DIR)"))
	}
	if c.TaskSecret != "" && len(c.TaskSecret) < minTaskSecret {
		errs = append(errs, fmt.Errorf("XYTE_TASK_SECRET: must be at least %d characters", minTaskSecret))
	}
	return errors.Join(errs...)
}

func (c Config) validateEvents() error {
	var errs []error
	for _, s := range []struct{ name, value string }{{"XYTE_WEBHOOK_SECRET", c.WebhookSecret},
		{"XYTE_WEBHOOK_OUT_SECRET", c.WebhookOutSecret}} {
		if s.value != "" && len(s.value) < minWebhookSecret {
			errs = append(errs, fmt.Errorf("%s: must be at least %d characters", s.name, minWebhookSecret))
		}
	}
	for _, raw := range c.WebhookURLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("XYTE_WEBHOOK_URLS: each entry must be an http or https URL"))
			break
		}
	}
	return errors.Join(errs...)
}

// LogValue prints the configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("mode", string(c.Mode())),
		slog.String("base_url", c.BaseURL),
		slog.Bool("api_key_set", c.APIKey != ""),
		slog.Bool("partner_key_set", c.PartnerKey != ""),
		slog.String("listen", c.Listen),
		slog.Bool("read_only", c.ReadOnly),
		slog.Bool("require_auth", c.RequireAuth),
		slog.Bool("sessions", c.Sessions),
		slog.String("log_level", c.LogLevel.String()),
		slog.Duration("cache_ttl", c.CacheTTL),
		slog.Int64("rate_limit", c.RateLimit),
		slog.Bool("redis", c.RedisURL != ""),
		slog.Bool("async_tasks", c.AsyncTasks),
		slog.String("task_store", c.taskStore()),
		slog.Any("plugins", c.Plugins),
		slog.Bool("signed_events", c.WebhookSecret != ""),
	)
}

func (c Config) taskStore() string {
	if c.DatabaseURL != "" {
		return "postgresql"
	}
	return "sqlite"
}

// String prints the configuration with secrets masked.
func (c Config) String() string { return c.LogValue().String() }

// GoString prints the configuration with secrets masked.
func (c Config) GoString() string { return c.String() }

// reader parses variables, collecting one error per bad variable.
type reader struct {
	getenv func(string) string
	errs   []error
}

// str returns the first non-empty value among names (a name, then aliases).
func (r *reader) str(names ...string) string {
	for _, n := range names {
		if v := r.getenv(n); strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// lookup returns the first set value among names, and the name it came from.
func (r *reader) lookup(names ...string) (string, string, bool) {
	for _, n := range names {
		if v := strings.TrimSpace(r.getenv(n)); v != "" {
			return v, n, true
		}
	}
	return "", "", false
}

func (r *reader) fail(name, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf(name+": "+format, args...))
}

func (r *reader) setString(dst *string, names ...string) {
	if v, _, ok := r.lookup(names...); ok {
		*dst = v
	}
}

func (r *reader) setBool(dst *bool, names ...string) {
	v, name, ok := r.lookup(names...)
	if !ok {
		return
	}
	b, err := strconv.ParseBool(strings.ToLower(v))
	if err != nil {
		r.fail(name, "must be true or false")
		return
	}
	*dst = b
}

func (r *reader) setInt(dst *int64, lo, hi int64, names ...string) {
	v, name, ok := r.lookup(names...)
	if !ok {
		return
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		r.fail(name, "must be an integer from %d to %d", lo, hi)
		return
	}
	*dst = n
}

// setDuration accepts a Go duration ("20s", "1m") or plain seconds ("20").
func (r *reader) setDuration(dst *time.Duration, lo, hi time.Duration, names ...string) {
	v, name, ok := r.lookup(names...)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	if secs, serr := strconv.ParseFloat(v, 64); serr == nil {
		d, err = time.Duration(secs*float64(time.Second)), nil
	}
	if err != nil || d < lo || d > hi {
		r.fail(name, "must be a duration from %s to %s, such as 20s", lo, hi)
		return
	}
	*dst = d
}

func (r *reader) setLevel(dst *slog.Level, names ...string) {
	v, name, ok := r.lookup(names...)
	if !ok {
		return
	}
	if strings.EqualFold(v, "warning") {
		v = "warn"
	}
	if err := dst.UnmarshalText([]byte(v)); err != nil {
		r.fail(name, "must be debug, info, warn or error")
	}
}

func (r *reader) setList(dst *[]string, names ...string) {
	v, _, ok := r.lookup(names...)
	if !ok {
		return
	}
	var out []string
	for _, item := range strings.Split(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	*dst = out
}
