package xytesim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// call is one authenticated request to an endpoint.
type call struct {
	r     *http.Request
	body  []byte
	org   *org // the caller's organization; nil on the Partner API
	now   time.Time
	query url.Values
}

// param returns a decoded path wildcard.
func (c *call) param(name string) string { return c.r.PathValue(name) }

// q returns the parsed query string.
func (c *call) q() url.Values {
	if c.query == nil {
		c.query, _ = url.ParseQuery(c.r.URL.RawQuery)
	}
	return c.query
}

// decode reads the JSON body into dst. An empty body leaves dst as it is;
// malformed JSON is a 400, well-formed JSON of the wrong shape a 422.
func (c *call) decode(dst any) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		return nil
	}
	err := json.Unmarshal(c.body, dst)
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
		return badRequest("Invalid JSON body")
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) && typ.Field != "" {
		return invalid("Invalid value for %s", typ.Field)
	}
	return invalid("Invalid request body")
}

// apiError is a non-2xx answer: its message goes out as {"error": msg}.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// notFound is a 404 for an unknown id, e.g. notFound("Device").
func notFound(what string) error {
	return &apiError{status: http.StatusNotFound, msg: what + " not found"}
}

// invalid is a 422 validation error.
func invalid(format string, args ...any) error {
	return &apiError{status: http.StatusUnprocessableEntity, msg: fmt.Sprintf(format, args...)}
}

// badRequest is a 400.
func badRequest(msg string) error {
	return &apiError{status: http.StatusBadRequest, msg: msg}
}

// errorStatus maps a handler error to its status; anything but an *apiError
// is a bug, so a 500.
func errorStatus(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.status
	}
	return http.StatusInternalServerError
}

// errorBody renders {"error": msg}.
func errorBody(msg string) []byte {
	data, _ := json.Marshal(errorJSON{Error: msg})
	return data
}

type errorJSON struct {
	Error string `json:"error"`
}

// writeError writes a JSON error and returns its status.
func writeError(w http.ResponseWriter, status int, msg string) int {
	return writeJSON(w, status, errorBody(msg))
}

// writeJSON writes an encoded JSON body and returns its status.
func writeJSON(w http.ResponseWriter, status int, data []byte) int {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(data) // the client may be gone; nothing to do about it
	return status
}

// noContent is returned by handlers that answer 204 with an empty body.
type noContent struct{}

// successJSON is {"success": true}, the answer of actions without an entity.
type successJSON struct {
	Success bool `json:"success"`
}

var success = successJSON{Success: true}

// Timestamps: entities use whole seconds, telemetry-like rows milliseconds,
// both in UTC with a Z, as in the hub's examples.
const (
	isoSeconds = "2006-01-02T15:04:05Z"
	isoMillis  = "2006-01-02T15:04:05.000Z"
)

func stamp(t time.Time) string       { return t.UTC().Format(isoSeconds) }
func stampMillis(t time.Time) string { return t.UTC().Format(isoMillis) }

// optStamp is a nullable timestamp: nil for the zero time.
func optStamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := stamp(t)
	return &s
}

// optString is a nullable string: nil for "".
func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// flexID is a space id in a body: a JSON integer or a numeric string
// (reference §5: the docs say string, the examples integer).
type flexID int64

// UnmarshalJSON accepts 12 and "12".
func (f *flexID) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		// A type error lets decode name the field in its 422.
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeFor[int64]()}
	}
	*f = flexID(n)
	return nil
}

// parseSpaceID reads a space id from a query value or path segment.
func parseSpaceID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// queryBool reads an optional boolean query parameter.
func (c *call) queryBool(name string) (value, set bool, err error) {
	v := c.q().Get(name)
	if v == "" {
		return false, false, nil
	}
	b, perr := strconv.ParseBool(v)
	if perr != nil {
		return false, false, invalid("Invalid %s parameter", name)
	}
	return b, true, nil
}

// querySpace reads an optional space_id query parameter.
func (c *call) querySpace(o *org) (*space, error) {
	v := c.q().Get("space_id")
	if v == "" {
		return nil, nil
	}
	id, ok := parseSpaceID(v)
	if !ok {
		return nil, invalid("Invalid space_id parameter")
	}
	sp := o.space(id)
	if sp == nil {
		return nil, notFound("Space")
	}
	return sp, nil
}

// containsFold reports whether s contains sub, ignoring case; an empty sub
// matches everything.
func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// window reads the from and to query parameters (Unix epoch seconds, or
// RFC 3339 when AcceptISOTimes is on); they default to the last 7 days.
// maxSpan > 0 rejects longer windows.
func (s *Server) window(c *call, maxSpan time.Duration) (from, to time.Time, err error) {
	from, to = c.now.Add(-7*24*time.Hour), c.now
	if from, err = s.parseTime(c.q().Get("from"), "from", from); err != nil {
		return from, to, err
	}
	if to, err = s.parseTime(c.q().Get("to"), "to", to); err != nil {
		return from, to, err
	}
	if to.Before(from) {
		return from, to, invalid("Parameter from must not be after to")
	}
	if maxSpan > 0 && to.Sub(from) > maxSpan {
		return from, to, invalid("Time range cannot exceed %d days", int(maxSpan/(24*time.Hour)))
	}
	return from, to, nil
}

// parseTime reads one time parameter, or returns def when it is empty.
func (s *Server) parseTime(v, name string, def time.Time) (time.Time, error) {
	if v == "" {
		return def, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	if s.cfg.AcceptISOTimes {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, invalid("Invalid %s parameter: use Unix epoch seconds", name)
}
