package events

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// DefaultMaxEventBytes bounds an intake request body.
const DefaultMaxEventBytes = 64 << 10

// Error codes of the events endpoints, in the "error" field of the server's
// usual JSON error body.
const (
	CodeMissingKey       = "missing_xyte_key"
	CodeInvalidEvent     = "invalid_event"
	CodeInvalidEventID   = "invalid_event_id"
	CodeInvalidSignature = "invalid_signature"
	CodeStaleSignature   = "stale_signature"
	CodeReplayed         = "replayed_delivery"
	CodeTooLarge         = "request_too_large"
	CodeUnavailable      = "unavailable"
	CodeMethod           = "method_not_allowed"
)

// IntakeOptions configures an Intake.
type IntakeOptions struct {
	// Bus stores the events. Required.
	Bus *Bus
	// Secret, when set, makes a valid SignatureHeader mandatory. At least
	// MinSecretLen bytes.
	Secret []byte
	// Tolerance is how far a signature's time may be from now. Default
	// DefaultTolerance.
	Tolerance time.Duration
	// Replay remembers accepted signatures. Default: a MemoryReplayGuard;
	// use a RedisReplayGuard when replicas share a Redis.
	Replay ReplayGuard
	// MaxBodyBytes bounds the request body. Default DefaultMaxEventBytes.
	MaxBodyBytes int64
	// Logger receives store failures. Default: discard.
	Logger *slog.Logger
}

// Intake is the handler of POST /v1/events (and /v1/webhook): it stores one
// event for the request's tenant and answers 202 {"id": "<event id>"}.
// The server must have authenticated the request and put its tenant in the
// context (tenant.NewContext).
type Intake struct {
	bus       *Bus
	secret    []byte
	tolerance time.Duration
	replay    ReplayGuard
	maxBody   int64
	logger    *slog.Logger
	now       func() time.Time
}

// NewIntake returns the intake handler for opts.
func NewIntake(opts IntakeOptions) (*Intake, error) {
	if opts.Bus == nil {
		return nil, errors.New("events intake: a bus is required")
	}
	if len(opts.Secret) > 0 && len(opts.Secret) < MinSecretLen {
		return nil, fmt.Errorf("events intake: the signing secret must be at least %d bytes",
			MinSecretLen)
	}
	in := &Intake{
		bus: opts.Bus, secret: opts.Secret, tolerance: opts.Tolerance, replay: opts.Replay,
		maxBody: opts.MaxBodyBytes, logger: opts.Logger, now: time.Now,
	}
	if in.tolerance <= 0 {
		in.tolerance = DefaultTolerance
	}
	if in.replay == nil {
		in.replay = NewMemoryReplayGuard(0)
	}
	if in.maxBody <= 0 {
		in.maxBody = DefaultMaxEventBytes
	}
	if in.logger == nil {
		in.logger = slog.New(slog.DiscardHandler)
	}
	return in, nil
}

// intakeBody is the accepted request body.
type intakeBody struct {
	Type       string          `json:"type"`
	Data       json.RawMessage `json:"data"`
	OccurredAt *string         `json:"occurred_at"`
}

// Accepted is the 202 answer of the intake.
type Accepted struct {
	ID string `json:"id"`
}

// ServeHTTP authenticates (tenant, then signature), parses, refuses replays
// and stores, in that order; a refused request stores nothing.
func (in *Intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, CodeMethod, "use POST")
		return
	}
	t, ok := tenant.FromContext(r.Context())
	if !ok {
		writeError(w, http.StatusUnauthorized, CodeMissingKey, "no tenant: send an Xyte API key")
		return
	}
	body, status, err := in.readBody(r)
	if err != nil {
		writeError(w, status, codeOfStatus(status), err.Error())
		return
	}
	replayKey, ttl, ok := in.checkSignature(w, r, body)
	if !ok {
		return
	}
	e, err := parseEvent(body, in.now())
	if err != nil {
		writeError(w, http.StatusBadRequest, CodeInvalidEvent, err.Error())
		return
	}
	if replayKey != "" && !in.claim(r.Context(), w, replayKey, ttl) {
		return
	}
	in.store(r.Context(), w, t.ID(), e, replayKey)
}

// readBody reads the whole body, bounded.
func (in *Intake) readBody(r *http.Request) ([]byte, int, error) {
	tooLarge := fmt.Errorf("request body is larger than %d bytes", in.maxBody)
	if r.ContentLength > in.maxBody {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, in.maxBody+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || int64(len(body)) > in.maxBody:
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	case err != nil:
		return nil, http.StatusBadRequest, errors.New("read request body: " + err.Error())
	}
	return body, 0, nil
}

func codeOfStatus(status int) string {
	if status == http.StatusRequestEntityTooLarge {
		return CodeTooLarge
	}
	return CodeInvalidEvent
}

// checkSignature answers 401 unless the signature is valid and fresh. It
// returns the key to remember against replays and for how long ("" when no
// secret is configured).
func (in *Intake) checkSignature(w http.ResponseWriter, r *http.Request, body []byte) (
	string, time.Duration, bool,
) {
	if len(in.secret) == 0 {
		return "", 0, true
	}
	now := in.now()
	at, sig, err := Verify(in.secret, r.Header.Get(SignatureHeader), body, now, in.tolerance)
	if err != nil {
		code := CodeInvalidSignature
		if errors.Is(err, ErrStaleSignature) {
			code = CodeStaleSignature
		}
		w.Header().Set("WWW-Authenticate", `XyteSignature realm="xyte-mcp"`)
		writeError(w, http.StatusUnauthorized, code, err.Error())
		return "", 0, false
	}
	// The signature stays fresh until at+tolerance: remember it that long.
	return sig, max(at.Add(in.tolerance).Sub(now), 0) + time.Second, true
}

// claim answers 409 for a replay and 503 when the guard fails.
func (in *Intake) claim(ctx context.Context, w http.ResponseWriter, key string,
	ttl time.Duration) bool {
	fresh, err := in.replay.Claim(ctx, key, ttl)
	switch {
	case err != nil:
		in.logger.Warn("event replay guard unavailable", "error", err)
		writeError(w, http.StatusServiceUnavailable, CodeUnavailable,
			"cannot check for replays right now; retry later")
		return false
	case !fresh:
		writeError(w, http.StatusConflict, CodeReplayed, ErrReplayed.Error())
		return false
	}
	return true
}

// store publishes e and answers 202, or 503 after forgetting the
// signature, so that the sender's retry is not taken for a replay.
func (in *Intake) store(ctx context.Context, w http.ResponseWriter, tenantID string, e Event,
	replayKey string) {
	stored, err := in.bus.Publish(ctx, tenantID, e)
	if err == nil {
		writeJSON(w, http.StatusAccepted, Accepted{ID: stored.ID})
		return
	}
	if replayKey != "" {
		_ = in.replay.Release(context.WithoutCancel(ctx), replayKey)
	}
	// parseEvent checked the event as Publish does, and the tenant id is the
	// server's own hash: only the store can fail here.
	in.logger.Warn("event not stored", "tenant", tenantID, "error", err)
	writeError(w, http.StatusServiceUnavailable, CodeUnavailable,
		"the event could not be stored; retry later")
}

// parseEvent decodes and checks an intake body.
func parseEvent(body []byte, now time.Time) (Event, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var in intakeBody
	if err := dec.Decode(&in); err != nil {
		return Event{}, invalidEventError("body must be one JSON object with type, data and " +
			"occurred_at: " + jsonProblem(err))
	}
	if dec.More() {
		return Event{}, invalidEventError("body must hold exactly one JSON object")
	}
	if in.Type == "" {
		return Event{}, invalidEventError("type is required")
	}
	e := Event{Type: in.Type, Data: in.Data, ReceivedAt: now}
	if in.OccurredAt != nil {
		at, err := time.Parse(time.RFC3339Nano, *in.OccurredAt)
		if err != nil {
			return Event{}, invalidEventError("occurred_at must be an RFC 3339 time, " +
				"such as 2026-01-02T15:04:05Z")
		}
		e.OccurredAt = at
	}
	return normalize(e, now)
}

// jsonProblem describes a decode error without quoting the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "invalid JSON at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te):
		return te.Field + " has the wrong JSON type"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the body is empty or cut short"
	}
	// Unknown fields: encoding/json names the field, which is the sender's.
	return err.Error()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody has the shape of every error answer of the HTTP server.
type errorBody struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{Error: code, Message: message})
}
