package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// Defaults of StreamOptions.
const (
	DefaultKeepAlive    = 15 * time.Second
	DefaultWriteTimeout = 10 * time.Second
	DefaultRetry        = 3 * time.Second
)

// StreamOptions configures a Stream.
type StreamOptions struct {
	// Bus supplies the events. Required.
	Bus *Bus
	// KeepAlive is how long a stream may stay silent before a ": keep-alive"
	// comment is sent, below the idle timeouts of common proxies. Default
	// DefaultKeepAlive.
	KeepAlive time.Duration
	// WriteTimeout bounds each write, so that a client that stopped reading
	// cannot hold the handler. Default DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Retry is the reconnection delay suggested to clients. Default
	// DefaultRetry.
	Retry time.Duration
	// Shutdown ends every open stream when it is done. http.Server.Shutdown
	// does not cancel request contexts, so without it an open stream would
	// hold the drain until its timeout. Nil: streams end only when their
	// client leaves.
	Shutdown context.Context
	// Logger receives unexpected failures. Default: discard.
	Logger *slog.Logger
}

// Stream is the handler of GET /v1/events: a Server-Sent Events stream of
// the request's tenant's events. Each event is sent as
//
//	id: <event id>
//	event: <event type>
//	data: <the Event as one line of JSON>
//
// The stream starts after the Last-Event-ID header, else after the "after"
// query parameter ("0": every event kept), else with new events only. The
// "type" parameter filters types (see ValidFilter).
type Stream struct {
	bus          *Bus
	keepAlive    time.Duration
	writeTimeout time.Duration
	retry        time.Duration
	shutdown     context.Context
	logger       *slog.Logger
}

// NewStream returns the SSE handler for opts.
func NewStream(opts StreamOptions) (*Stream, error) {
	if opts.Bus == nil {
		return nil, errors.New("events stream: a bus is required")
	}
	s := &Stream{
		bus: opts.Bus, keepAlive: opts.KeepAlive, writeTimeout: opts.WriteTimeout,
		retry: opts.Retry, shutdown: opts.Shutdown, logger: opts.Logger,
	}
	if s.keepAlive <= 0 {
		s.keepAlive = DefaultKeepAlive
	}
	if s.writeTimeout <= 0 {
		s.writeTimeout = DefaultWriteTimeout
	}
	if s.retry <= 0 {
		s.retry = DefaultRetry
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// ServeHTTP streams until the client leaves or the server shuts down.
func (s *Stream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(w, http.StatusMethodNotAllowed, CodeMethod, "use GET")
		return
	}
	t, ok := tenant.FromContext(r.Context())
	if !ok {
		writeError(w, http.StatusUnauthorized, CodeMissingKey, "no tenant: send an Xyte API key")
		return
	}
	if s.shutdown != nil && s.shutdown.Err() != nil {
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable,
			"the server is shutting down; reconnect with Last-Event-ID")
		return
	}
	after := r.Header.Get("Last-Event-ID")
	if after == "" {
		after = r.URL.Query().Get("after")
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	if s.shutdown != nil {
		stop := context.AfterFunc(s.shutdown, cancel)
		defer stop()
	}
	sub, err := s.bus.Subscribe(ctx, t.ID(), after, r.URL.Query().Get("type"))
	if err != nil {
		s.refuse(w, err)
		return
	}
	defer sub.Close()
	s.run(ctx, w, sub)
}

// refuse answers a request whose stream could not start.
func (s *Stream) refuse(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrInvalidID):
		writeError(w, http.StatusBadRequest, CodeInvalidEventID,
			"Last-Event-ID and after must be an event id or 0")
	case errors.Is(err, ErrInvalidEvent):
		writeError(w, http.StatusBadRequest, CodeInvalidEvent, err.Error())
	default:
		s.logger.Warn("event stream not started", "error", err)
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable,
			"events are unavailable right now; retry later")
	}
}

// run writes events and keep-alives until ctx ends or a write fails.
func (s *Stream) run(ctx context.Context, w http.ResponseWriter, sub *Subscription) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	// The connection may serve another request after this one.
	defer func() { _ = rc.SetWriteDeadline(time.Time{}) }()
	hello := "retry: " + strconv.FormatInt(s.retry.Milliseconds(), 10) + "\n: connected\n\n"
	if s.send(w, rc, []byte(hello)) != nil {
		return
	}
	for {
		// The deadline is the keep-alive timer: no ticker to stop, no
		// goroutine to end when the client leaves.
		next, cancel := context.WithTimeout(ctx, s.keepAlive)
		e, err := sub.Next(next)
		cancel()
		var frame []byte
		switch {
		case err == nil:
			frame = eventFrame(e)
		case ctx.Err() != nil:
			return
		case errors.Is(err, context.DeadlineExceeded):
			frame = []byte(": keep-alive\n\n")
		default:
			s.logger.Warn("event stream ended", "error", err)
			return
		}
		if s.send(w, rc, frame) != nil {
			return
		}
	}
}

// send writes one frame and flushes it, within the write timeout.
func (s *Stream) send(w http.ResponseWriter, rc *http.ResponseController, frame []byte) error {
	// Not every writer supports deadlines (httptest's recorder does not).
	_ = rc.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	if _, err := w.Write(frame); err != nil {
		return err
	}
	return rc.Flush()
}

// eventFrame encodes e as an SSE event. The type charset and compact JSON
// keep each field on one line.
func eventFrame(e Event) []byte {
	data, err := json.Marshal(e)
	if err != nil {
		data = []byte("{}") // unreachable: stores keep only valid JSON
	}
	var b bytes.Buffer
	b.Grow(len(data) + len(e.ID) + len(e.Type) + 24)
	b.WriteString("id: " + e.ID + "\nevent: " + e.Type + "\ndata: ")
	b.Write(data)
	b.WriteString("\n\n")
	return b.Bytes()
}
