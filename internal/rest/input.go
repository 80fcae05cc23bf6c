package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// badInput is an input refused before any upstream call. Its text names the
// input and never repeats its value.
func badInput(name, reason string) error {
	return &xyte.ArgumentError{Name: name, Reason: reason}
}

// pathID returns the path wildcard name, checked as one upstream path segment.
func pathID(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	if err := xyte.ValidateID(name, id); err != nil {
		return "", err
	}
	return id, nil
}

// pathInt returns the path wildcard name as a positive integer.
func pathInt(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, badInput(name, "must be a positive integer")
	}
	return n, nil
}

// query reads a query string, refusing unknown and repeated parameters. The
// first problem is kept; later reads return zero values.
type query struct {
	values url.Values
	known  map[string]bool
	err    error
}

func newQuery(r *http.Request) *query {
	q := &query{known: map[string]bool{}}
	q.values, q.err = url.ParseQuery(r.URL.RawQuery)
	if q.err != nil {
		q.err = badInput("query", "is not a valid query string")
	}
	return q
}

// get returns the single value of name, or "" when absent.
func (q *query) get(name string) string {
	q.known[name] = true
	if q.err != nil {
		return ""
	}
	vs := q.values[name]
	switch {
	case len(vs) == 0:
		return ""
	case len(vs) > 1:
		q.err = badInput(name, "is given more than once")
		return ""
	}
	return strings.TrimSpace(vs[0])
}

func (q *query) str(name string) string { return q.get(name) }

// integer returns name as an integer from lo to hi, or 0 when absent.
func (q *query) integer(name string, lo, hi int64) int64 {
	v := q.get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		q.setErr(badInput(name, "must be an integer from "+strconv.FormatInt(lo, 10)+
			" to "+strconv.FormatInt(hi, 10)))
		return 0
	}
	return n
}

// oneOf returns name, which must be one of allowed, or "" when absent.
func (q *query) oneOf(name string, allowed ...string) string {
	v := q.get(name)
	if v == "" {
		return ""
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	q.setErr(badInput(name, "must be one of "+strings.Join(allowed, ", ")))
	return ""
}

// time returns name as a time: RFC 3339 or Unix seconds. Zero when absent.
func (q *query) time(name string) time.Time {
	v := q.get(name)
	if v == "" {
		return time.Time{}
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil && secs >= 0 {
		return time.Unix(secs, 0).UTC()
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		q.setErr(badInput(name, "must be an RFC 3339 time or Unix seconds"))
		return time.Time{}
	}
	return t.UTC()
}

func (q *query) setErr(err error) {
	if q.err == nil {
		q.err = err
	}
}

// done returns the first problem, including any parameter never read.
func (q *query) done() error {
	if q.err != nil {
		return q.err
	}
	var unknown []string
	for name := range q.values {
		if !q.known[name] {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	known := make([]string, 0, len(q.known))
	for name := range q.known {
		known = append(known, name)
	}
	sort.Strings(known)
	reason := "is not a query parameter of this route"
	if len(known) > 0 {
		reason += " (known: " + strings.Join(known, ", ") + ")"
	}
	return badInput(strings.Join(unknown, ", "), reason)
}

// noQuery refuses any query string on a route that takes none.
func noQuery(r *http.Request) error { return newQuery(r).done() }

// decodeBody reads the request body as exactly one JSON object into dst,
// refusing unknown fields. A body over the server's limit keeps its
// *http.MaxBytesError so that it answers 413. The server always sets r.Body.
func decodeBody(r *http.Request, dst any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badInput("body", "could not be read")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return badInput("body", "is required: send a JSON object")
	}
	if !utf8.Valid(data) {
		// encoding/json would quietly turn bad bytes into U+FFFD and send
		// them upstream.
		return badInput("body", "is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return badInput("body", decodeProblem(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badInput("body", "must hold exactly one JSON object")
	}
	return nil
}

// decodeProblem describes a JSON decoding error without quoting the input.
func decodeProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return "field " + strconv.Quote(te.Field) + " has the wrong type"
	case errors.As(err, &te):
		return "must be a JSON object"
	case errors.As(err, &se):
		return "is not valid JSON"
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "has an unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		return "is not a valid JSON object"
	}
}
