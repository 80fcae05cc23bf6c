package tenant

import (
	"errors"
	"net/http"
	"strings"
)

// Errors from ParseAuthorization. Their text is safe to show: it never holds
// any part of the header.
var (
	// ErrMissingKey: no Authorization header, or one with no key in it
	// (empty, only spaces, or a scheme alone).
	ErrMissingKey = errors.New("missing Xyte API key in the Authorization header")
	// ErrSeveralKeys: more than one Authorization header, or several
	// comma-joined values in one. Picking one would let a proxy and this
	// server disagree on who is calling.
	ErrSeveralKeys = errors.New("more than one Authorization value: send exactly one " +
		"Xyte API key")
	// ErrMalformedKey: a scheme other than Bearer, or a key with spaces,
	// control characters or bytes outside printable ASCII.
	ErrMalformedKey = errors.New("malformed Authorization header: send one Xyte API key, " +
		"bare or as 'Bearer <key>'")
)

// ParseAuthorization returns the Xyte key of a request. Accepted forms are
// the bare key and "Bearer <key>" with the scheme in any case; surrounding
// spaces and tabs are trimmed. A key is printable ASCII without spaces, which
// is also what an upstream header value can carry unchanged.
func ParseAuthorization(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch len(values) {
	case 0:
		return "", ErrMissingKey
	case 1:
	default:
		return "", ErrSeveralKeys
	}
	return parseValue(values[0])
}

func parseValue(v string) (string, error) {
	v = strings.Trim(v, " \t")
	if v == "" {
		return "", ErrMissingKey
	}
	if strings.ContainsRune(v, ',') {
		return "", ErrSeveralKeys
	}
	scheme, rest, found := strings.Cut(v, " ")
	if !found {
		scheme, rest, found = strings.Cut(v, "\t")
	}
	switch {
	case strings.EqualFold(v, "bearer"):
		return "", ErrMissingKey
	case found && strings.EqualFold(scheme, "bearer"):
		v = strings.Trim(rest, " \t")
		if v == "" {
			return "", ErrMissingKey
		}
		if strings.EqualFold(v, "bearer") {
			// "Bearer Bearer": a scheme added twice around an empty key.
			return "", ErrMalformedKey
		}
	case found:
		// A scheme other than Bearer (Basic, Token, ...) or a key with spaces.
		return "", ErrMalformedKey
	}
	if strings.IndexFunc(v, notKeyRune) >= 0 {
		return "", ErrMalformedKey
	}
	return v, nil
}

// notKeyRune reports a rune a key cannot hold: anything but visible ASCII.
func notKeyRune(r rune) bool { return r <= ' ' || r > '~' }
