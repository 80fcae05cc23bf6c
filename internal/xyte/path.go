package xyte

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxIDLength bounds an id used as a path segment.
const maxIDLength = 256

// ValidateID checks that an id can be sent as one path segment: not empty,
// not only spaces, not "." or "..", no leading or trailing space, no control
// characters, valid UTF-8 and at most 256 bytes. Ids that look like an
// attempt to leave the segment are refused too, although escaping would keep
// them inside it: a slash, a backslash, ? or #, a ".." segment, and percent
// escapes of any of those. No Xyte id holds them. The returned error names
// the argument but never repeats the value.
func ValidateID(name, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return argError(name, "must not be empty")
	case id == "." || id == "..":
		return argError(name, "must not be a relative path segment")
	case strings.TrimSpace(id) != id:
		return argError(name, "must not start or end with spaces")
	case len(id) > maxIDLength:
		return argError(name, "is longer than "+strconv.Itoa(maxIDLength)+" bytes")
	case !utf8.ValidString(id):
		return argError(name, "is not valid UTF-8")
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return argError(name, "must not contain control characters")
	case strings.ContainsAny(id, `/\?#`) || traversal(id):
		return argError(name, "must be a single id, without /, \\, ?, # or .. parts")
	}
	return nil
}

// traversal reports ids holding a ".." part or a percent escape of a dot,
// slash, backslash, ? or #, which a lenient server could decode into a path.
func traversal(id string) bool {
	lower := strings.ToLower(id)
	for _, esc := range []string{"%2e", "%2f", "%5c", "%3f", "%23", "%25"} {
		if strings.Contains(lower, esc) {
			return true
		}
	}
	return strings.Contains(id, "..")
}

// endpointURL returns the URL of a call: the endpoint's path template with
// each value as exactly one escaped segment, so no id can reach another
// endpoint, and the encoded query, if any. It is the string url.URL.String
// makes of that path, built in one go when the fixed parts of the path need
// no escaping (as for every endpoint under a plain base URL).
func (c *Client) endpointURL(ep Endpoint, values map[string]string, query string) (string, error) {
	var b strings.Builder
	b.Grow(len(c.origin) + len(c.root.Path) + len(ep.API.Prefix()) + len(ep.Path) + 64 +
		len(query))
	b.WriteString(c.origin)
	plain, err := c.writePath(&b, ep, values, url.PathEscape)
	if err != nil {
		return "", err
	}
	if !plain {
		return c.escapedURL(ep, values, b.String()[len(c.origin):], query), nil
	}
	// With plain fixed parts, url.URL.String would take the escaped path
	// over unchanged: it holds only bytes that String keeps, and it
	// unescapes to the decoded path.
	if query != "" {
		b.WriteByte('?')
		b.WriteString(query)
	}
	return b.String(), nil
}

// writePath writes the path of a call to b: the root path, the API prefix
// and the template, each value passed through escape. It reports whether
// all the fixed parts are plain (see plainPath).
func (c *Client) writePath(b *strings.Builder, ep Endpoint, values map[string]string,
	escape func(string) string) (bool, error) {
	plain := c.plainRoot && plainPath(ep.API.Prefix())
	b.WriteString(c.root.Path)
	b.WriteString(ep.API.Prefix())

	rest := ep.Path
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}') + open
		name := rest[open+1 : end]
		value, err := pathValue(ep, name, values)
		if err != nil {
			return false, err
		}
		plain = plain && plainPath(rest[:open])
		b.WriteString(rest[:open])
		b.WriteString(escape(value))
		rest = rest[end+1:]
	}
	b.WriteString(rest)
	return plain && plainPath(rest), nil
}

// escapedURL returns the URL of a call whose fixed path parts are not all
// plain, as url.URL.String writes it from the decoded and escaped paths.
// Values were checked by writePath already.
func (c *Client) escapedURL(ep Endpoint, values map[string]string, escaped, query string) string {
	var decoded strings.Builder
	_, _ = c.writePath(&decoded, ep, values, func(s string) string { return s })
	u := *c.root
	u.Path, u.RawPath, u.RawQuery = decoded.String(), escaped, query
	return u.String()
}

// plainPath reports whether s holds only bytes that a URL path keeps as they
// are, escaped or not: letters, digits and "-._~/". Such a part reads back
// as itself, and next to escaped values it keeps them escaped as they are.
func plainPath(s string) bool {
	for i := range len(s) {
		switch ch := s[i]; {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9':
		case ch == '-', ch == '.', ch == '_', ch == '~', ch == '/':
		default:
			return false
		}
	}
	return true
}

// pathValue returns the checked value of one path parameter.
func pathValue(ep Endpoint, name string, values map[string]string) (string, error) {
	value, ok := values[name]
	if !ok {
		return "", argError(name, "is required")
	}
	if err := ValidateID(name, value); err != nil {
		return "", err
	}
	if reservedSegments[ep.Key][name][value] {
		return "", argError(name, "is a fixed path segment of another endpoint, not an id")
	}
	if p, _ := ep.Param(name); p.Type == TypeInteger {
		if _, err := strconv.ParseInt(value, 10, 64); err != nil {
			return "", argError(name, "must be an integer")
		}
	}
	return value, nil
}

// reservedSegments lists, per endpoint and path parameter, the values that
// would turn the request into one for a sibling endpoint with the same method
// (a device id of "histories" makes GET /devices/{device_id} read
// GET /devices/histories). Such values are refused.
var reservedSegments = func() map[string]map[string]map[string]bool {
	out := map[string]map[string]map[string]bool{}
	for _, e := range catalog {
		segs := strings.Split(e.Path, "/")
		for i, seg := range segs {
			if !isParam(seg) {
				continue
			}
			for _, lit := range siblingLiterals(e, segs, i) {
				name := seg[1 : len(seg)-1]
				if out[e.Key] == nil {
					out[e.Key] = map[string]map[string]bool{}
				}
				if out[e.Key][name] == nil {
					out[e.Key][name] = map[string]bool{}
				}
				out[e.Key][name][lit] = true
			}
		}
	}
	return out
}()

// siblingLiterals returns the literal segments that other endpoints of the
// same API and method have at position i, where every other segment of
// theirs could match segs.
func siblingLiterals(e Endpoint, segs []string, i int) []string {
	var lits []string
	for _, f := range catalog {
		other := strings.Split(f.Path, "/")
		if f.Key == e.Key || f.API != e.API || f.Method != e.Method || len(other) != len(segs) ||
			isParam(other[i]) {
			continue
		}
		match := true
		for j := range segs {
			if j != i && segs[j] != other[j] && !isParam(segs[j]) && !isParam(other[j]) {
				match = false
			}
		}
		if match {
			lits = append(lits, other[i])
		}
	}
	return lits
}

func isParam(seg string) bool { return strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") }
