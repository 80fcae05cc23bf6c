package tenant

import (
	"errors"
	"net/http"
	"strings"
)

// Errors from ParseAuthorization. Their text is safe to show: it never holds
// any part of the header.
var (
	// ErrMissingKey: no Authorization header, or one with no key in it.
	ErrMissingKey = errors.New("missing Xyte API key in the Authorization header")
	// ErrMalformedKey: more than one Authorization header, several
	// comma-joined values, a scheme other than Bearer, or a key with spaces
	// or control characters inside.
	ErrMalformedKey = errors.New("malformed Authorization header: send one Xyte API key, " +
		"bare or as 'Bearer <key>'")
)

// ParseAuthorization returns the Xyte key of a request. Accepted forms are
// the bare key and "Bearer <key>" with the scheme in any case; surrounding
// spaces and tabs are trimmed.
func ParseAuthorization(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch len(values) {
	case 0:
		return "", ErrMissingKey
	case 1:
	default:
		return "", ErrMalformedKey
	}
	return parseValue(values[0])
}

func parseValue(v string) (string, error) {
	v = strings.Trim(v, " \t")
	if v == "" {
		return "", ErrMissingKey
	}
	if strings.ContainsRune(v, ',') {
		return "", ErrMalformedKey
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
	case found:
		// A scheme other than Bearer (Basic, Token, ...) or a key with spaces.
		return "", ErrMalformedKey
	}
	if strings.ContainsAny(v, " \t") || strings.IndexFunc(v, isControl) >= 0 {
		return "", ErrMalformedKey
	}
	return v, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
