package xyte

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
)

// Code is a short, stable name for a kind of failure. The MCP and REST layers
// show it to callers; it never holds request data.
type Code string

// Failure codes.
const (
	CodeNotFound      Code = "not_found"
	CodeUnauthorized  Code = "unauthorized"
	CodeForbidden     Code = "forbidden"
	CodeInvalidParams Code = "invalid_params"
	CodeRateLimited   Code = "rate_limited"
	CodeUpstream      Code = "upstream_error"
	CodeNetwork       Code = "network_error"
	CodeTimeout       Code = "timeout"
)

// maxMessageLen bounds the upstream message kept in an Error, so that an
// upstream that echoes a whole request or page back never reaches callers.
const maxMessageLen = 200

// Error is an upstream call that did not succeed: either the hub answered with
// a non-2xx status, or no answer arrived (network failure, timeout).
//
// Its text holds the endpoint key, the status and a short upstream message. It
// never holds a key or a whole response body.
type Error struct {
	// Endpoint is the catalog key of the endpoint called.
	Endpoint string
	// StatusCode is the HTTP status, or 0 when no response arrived.
	StatusCode int
	// Message is the upstream's own message (its "error" field, else "message"),
	// cleaned of control characters and keys and cut to a short length.
	Message string
	// RetryAfter is the wait the upstream asked for, when it sent Retry-After.
	RetryAfter time.Duration
	// Sent reports whether the request may have reached the upstream. For a
	// write that failed without a response this means its outcome is unknown.
	Sent bool
	// OutcomeUnknown reports a write (POST or PATCH) that failed after it was
	// sent, without a clear refusal: the hub may have carried it out. Such a
	// call is never retried.
	OutcomeUnknown bool

	code        Code
	err         error
	breakerOpen bool
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("xyte ")
	b.WriteString(e.Endpoint)
	b.WriteString(": ")
	switch {
	case e.StatusCode != 0:
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(" ")
		b.WriteString(http.StatusText(e.StatusCode))
	default:
		b.WriteString(string(e.code))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.OutcomeUnknown {
		b.WriteString(" (outcome unknown: the request was sent and may have been carried out;" +
			" check before repeating it)")
	}
	return b.String()
}

// Unwrap returns the underlying transport error, if any.
func (e *Error) Unwrap() error { return e.err }

// Code classifies the failure.
func (e *Error) Code() Code { return e.code }

// CodeOf classifies any error returned by this package. Errors that did not
// come from an upstream call (a refused argument) are CodeInvalidParams;
// cancellation and deadlines are CodeTimeout.
func CodeOf(err error) Code {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.code
	case errors.Is(err, ErrInvalidArgument):
		return CodeInvalidParams
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return CodeTimeout
	default:
		return CodeUpstream
	}
}

// IsNotFound reports whether the upstream said the resource does not exist.
func IsNotFound(err error) bool { return CodeOf(err) == CodeNotFound }

// IsUnauthorized reports whether the upstream refused the key.
func IsUnauthorized(err error) bool { return CodeOf(err) == CodeUnauthorized }

// IsForbidden reports whether the key is valid but not allowed to do this.
func IsForbidden(err error) bool { return CodeOf(err) == CodeForbidden }

// IsValidation reports whether the request was refused as invalid, by the
// upstream (400, 422) or by this package before sending it.
func IsValidation(err error) bool { return CodeOf(err) == CodeInvalidParams }

// IsRateLimited reports whether the upstream answered 429.
func IsRateLimited(err error) bool { return CodeOf(err) == CodeRateLimited }

// IsUpstream reports whether the upstream failed (5xx or another unexpected status).
func IsUpstream(err error) bool { return CodeOf(err) == CodeUpstream }

// IsNetwork reports whether no response arrived because of a network failure.
func IsNetwork(err error) bool { return CodeOf(err) == CodeNetwork }

// IsTimeout reports whether the call ran out of time or was cancelled.
func IsTimeout(err error) bool { return CodeOf(err) == CodeTimeout }

// codeForStatus maps an upstream status to a failure code.
func codeForStatus(status int) Code {
	switch {
	case status == http.StatusNotFound:
		return CodeNotFound
	case status == http.StatusUnauthorized:
		return CodeUnauthorized
	case status == http.StatusForbidden:
		return CodeForbidden
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return CodeInvalidParams
	case status == http.StatusTooManyRequests:
		return CodeRateLimited
	case status == http.StatusRequestTimeout, status == http.StatusGatewayTimeout:
		return CodeTimeout
	default:
		return CodeUpstream
	}
}

// statusError builds the Error for a non-2xx response. secrets are removed from
// the upstream message, which may echo request headers back.
func statusError(ep string, resp *http.Response, body []byte, now time.Time, secrets ...string) *Error {
	return &Error{
		Endpoint:   ep,
		StatusCode: resp.StatusCode,
		Message:    upstreamMessage(body, secrets),
		RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now),
		Sent:       true,
		code:       codeForStatus(resp.StatusCode),
	}
}

// transportError builds the Error for a call that got no response.
func transportError(ep string, err error, sent bool) *Error {
	code := CodeNetwork
	msg := "no response from the Xyte API"
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled):
		code, msg = CodeTimeout, "call cancelled"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		code, msg = CodeTimeout, "no response from the Xyte API in time"
	}
	return &Error{Endpoint: ep, Message: msg, Sent: sent, code: code, err: err}
}

// upstreamMessage extracts a short message from an error body: the "error"
// field, else "message", else nothing. A body that is not JSON is not quoted.
func upstreamMessage(body []byte, secrets []string) string {
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	msg := jsonText(env.Error)
	if msg == "" {
		msg = jsonText(env.Message)
	}
	return cleanMessage(msg, secrets)
}

// jsonText returns a JSON string's value; other JSON values give "".
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// cleanMessage removes secrets and control characters and bounds the length.
func cleanMessage(msg string, secrets []string) string {
	// An upstream may quote only part of a key; no piece of one may pass.
	// Only the start of a long message is kept, so only that is searched.
	if len(msg) > 4*maxMessageLen {
		msg = msg[:4*maxMessageLen]
	}
	msg = tenant.Redact(msg, secrets...)
	for _, s := range secrets {
		// Redact covers every secret long enough to have fragments.
		if s != "" && len(s) < tenant.MinFragment {
			msg = strings.ReplaceAll(msg, s, tenant.Redacted)
		}
	}
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	msg = strings.TrimSpace(msg)
	if len(msg) > maxMessageLen {
		cut := maxMessageLen
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "..."
	}
	return msg
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// ErrInvalidArgument marks arguments refused before any request was sent.
var ErrInvalidArgument = errors.New("invalid argument")

// ArgumentError is an argument refused before any request was sent. Its text
// names the argument and says what is wrong, without repeating the value.
type ArgumentError struct {
	Name   string
	Reason string
}

// Error implements error.
func (e *ArgumentError) Error() string { return fmt.Sprintf("%s: %s", e.Name, e.Reason) }

// Is makes errors.Is(err, ErrInvalidArgument) true.
func (e *ArgumentError) Is(target error) bool { return target == ErrInvalidArgument }

func argError(name, reason string) error { return &ArgumentError{Name: name, Reason: reason} }
