package plugins

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/events"
)

// DeliveryHeader carries a webhook delivery's id: the same on every retry
// of one delivery, so that a receiver can drop duplicates.
const DeliveryHeader = "X-Xyte-Delivery"

// Defaults of WebhookOptions.
const (
	DefaultWebhookQueue      = 1000
	DefaultWebhookAttempts   = 6
	DefaultWebhookMinBackoff = time.Second
	DefaultWebhookMaxBackoff = time.Minute
	DefaultWebhookTimeout    = 10 * time.Second
)

const (
	webhookUserAgent = "xyte-mcp-webhook/1"
	// maxAnswerDrained bounds how much of a receiver's answer is read, so
	// that the connection can be reused without trusting the receiver.
	maxAnswerDrained = 64 << 10
)

// WebhookOptions configures the webhook plugin.
type WebhookOptions struct {
	// URLs receive every event and audit record (env XYTE_WEBHOOK_URLS).
	URLs []string
	// Secret signs each delivery like the intake expects its requests
	// (events.SignatureHeader). At least events.MinSecretLen bytes.
	Secret []byte
	// QueueSize bounds the deliveries waiting for each URL. Default 1,000.
	QueueSize int
	// MaxAttempts bounds the tries of one delivery. Default 6.
	MaxAttempts int
	// MinBackoff is the wait before the first retry; it doubles with each
	// retry up to MaxBackoff. Defaults 1s and 1m.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// Timeout bounds each attempt. Default 10s.
	Timeout time.Duration
	// Client sends the deliveries. Default: a client that follows no
	// redirects.
	Client *http.Client
}

// webhook forwards events and audit records to receivers. Each receiver has
// its own queue and worker, so that one that is down delays only itself.
type webhook struct {
	opts      WebhookOptions
	env       Env
	receivers []*receiver

	work       context.Context // canceled when Stop's context ends
	cancelWork context.CancelFunc
	wg         sync.WaitGroup

	mu     sync.RWMutex
	closed bool
}

// receiver is one URL and its queue.
type receiver struct {
	index int // 1-based, names the receiver in errors: the URL may hold a token
	url   string
	host  string
	queue chan outgoing
}

// outgoing is one delivery: its id and signed body.
type outgoing struct {
	id   string
	body []byte
}

// WebhookPayload is the body of a webhook delivery: Kind "event" with
// Event, or Kind "audit" with Audit.
type WebhookPayload struct {
	Kind   string        `json:"kind"`
	Tenant string        `json:"tenant"`
	Event  *events.Event `json:"event,omitempty"`
	Audit  *AuditRecord  `json:"audit,omitempty"`
}

func newWebhook(env Env) (Plugin, error) {
	opts := env.Webhook.withDefaults()
	if len(opts.Secret) < events.MinSecretLen {
		return nil, fmt.Errorf("XYTE_WEBHOOK_SECRET: a signing secret of at least %d bytes "+
			"is required", events.MinSecretLen)
	}
	if len(opts.URLs) == 0 {
		return nil, errors.New("XYTE_WEBHOOK_URLS: at least one receiver URL is required")
	}
	w := &webhook{opts: opts, env: env}
	for i, raw := range opts.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The URL itself is not quoted: it may carry a token.
			return nil, fmt.Errorf("XYTE_WEBHOOK_URLS: entry %d must be an absolute http or "+
				"https URL", i+1)
		}
		w.receivers = append(w.receivers, &receiver{
			index: i + 1, url: raw, host: u.Host, queue: make(chan outgoing, opts.QueueSize),
		})
	}
	w.work, w.cancelWork = context.WithCancel(context.Background())
	return w, nil
}

func (o WebhookOptions) withDefaults() WebhookOptions {
	if o.QueueSize <= 0 {
		o.QueueSize = DefaultWebhookQueue
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultWebhookAttempts
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = DefaultWebhookMinBackoff
	}
	if o.MaxBackoff < o.MinBackoff {
		o.MaxBackoff = max(DefaultWebhookMaxBackoff, o.MinBackoff)
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultWebhookTimeout
	}
	if o.Client == nil {
		o.Client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	return o
}

func (w *webhook) Start(context.Context) error {
	for _, r := range w.receivers {
		w.wg.Add(1)
		go w.run(r)
	}
	return nil
}

// Stop delivers what is queued until ctx ends, then abandons the rest.
func (w *webhook) Stop(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		for _, r := range w.receivers {
			close(r.queue)
		}
	}
	w.mu.Unlock()
	stop := context.AfterFunc(ctx, w.cancelWork)
	defer stop()
	w.wg.Wait()
	w.cancelWork()
	if ctx.Err() != nil {
		return errors.New("webhook deliveries abandoned at shutdown")
	}
	return nil
}

func (w *webhook) HandleEvent(_ context.Context, tenantID string, e events.Event) error {
	return w.enqueue(WebhookPayload{Kind: "event", Tenant: tenantID, Event: &e})
}

func (w *webhook) HandleAudit(_ context.Context, rec AuditRecord) error {
	return w.enqueue(WebhookPayload{Kind: "audit", Tenant: rec.Tenant, Audit: &rec})
}

// enqueue queues one delivery per receiver without waiting.
func (w *webhook) enqueue(p WebhookPayload) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode webhook payload: %w", err)
	}
	out := outgoing{id: rand.Text(), body: body}
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return nil
	}
	var full []error
	for _, r := range w.receivers {
		select {
		case r.queue <- out:
		default:
			full = append(full, fmt.Errorf("webhook receiver %d: %w", r.index, ErrDropped))
		}
	}
	return errors.Join(full...)
}

// run delivers one receiver's queue in order.
func (w *webhook) run(r *receiver) {
	defer w.wg.Done()
	for out := range r.queue {
		if err := w.deliver(r, out); err != nil {
			w.env.FailFunc(KindDelivery, err)
		}
	}
}

// deliver tries one delivery until it succeeds, fails for good, runs out of
// attempts or is abandoned at shutdown.
func (w *webhook) deliver(r *receiver, out outgoing) error {
	for attempt := 1; ; attempt++ {
		retryAfter, retry, err := w.attempt(r, out)
		if err == nil {
			return nil
		}
		if !retry || attempt >= w.opts.MaxAttempts {
			return fmt.Errorf("webhook receiver %d (%s): giving up after %d attempts: %w",
				r.index, r.host, attempt, err)
		}
		if !w.sleep(w.backoff(attempt, retryAfter)) {
			return fmt.Errorf("webhook receiver %d (%s): abandoned at shutdown: %w",
				r.index, r.host, err)
		}
	}
}

// attempt sends out once, signed now. It reports whether a failure is worth
// a retry, and how long the receiver asked to wait.
func (w *webhook) attempt(r *receiver, out outgoing) (time.Duration, bool, error) {
	ctx, cancel := context.WithTimeout(w.work, w.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(out.body))
	if err != nil {
		return 0, false, errors.New("cannot build the request")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", webhookUserAgent)
	req.Header.Set(DeliveryHeader, out.id)
	req.Header.Set(events.SignatureHeader, events.Sign(w.opts.Secret, time.Now(), out.body))
	resp, err := w.opts.Client.Do(req)
	if err != nil {
		return 0, true, withoutURL(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerDrained))
	_ = resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return 0, false, nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return retryAfter(resp.Header), true, fmt.Errorf("receiver answered %d", code)
	default:
		return 0, false, fmt.Errorf("receiver answered %d", code)
	}
}

// withoutURL drops the URL that net/http puts in its errors: it may carry a
// token.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// retryAfter reads a Retry-After header given in seconds.
func retryAfter(h http.Header) time.Duration {
	secs, err := strconv.Atoi(h.Get("Retry-After"))
	if err != nil || secs < 0 {
		return 0
	}
	return time.Duration(secs) * time.Second
}

// backoff is the wait after a failed attempt: MinBackoff doubled per retry
// up to MaxBackoff, with jitter so that receivers coming back are not hit by
// every replica at once; longer if the receiver asked, up to MaxBackoff.
func (w *webhook) backoff(attempt int, asked time.Duration) time.Duration {
	d := w.opts.MaxBackoff
	if attempt < 30 {
		d = min(w.opts.MinBackoff<<(attempt-1), w.opts.MaxBackoff)
	}
	d = d/2 + jitter(d/2+1)
	return min(max(d, asked), w.opts.MaxBackoff)
}

// jitter returns a random duration in [0, n), n > 0.
func jitter(n time.Duration) time.Duration {
	return mrand.N(n) // #nosec G404 -- jitter spreads retries; it guards nothing
}

// sleep waits d, or reports false if the work is abandoned first.
func (w *webhook) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-w.work.Done():
		return false
	}
}
