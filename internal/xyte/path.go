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

// endpointURL fills the endpoint's path template. Each value becomes exactly
// one escaped segment, so no id can reach another endpoint.
func (c *Client) endpointURL(ep Endpoint, values map[string]string) (*url.URL, error) {
	prefix := c.root.Path + ep.API.Prefix()
	var decoded, escaped strings.Builder
	decoded.WriteString(prefix)
	escaped.WriteString(prefix)

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
			return nil, err
		}
		decoded.WriteString(rest[:open])
		decoded.WriteString(value)
		escaped.WriteString(rest[:open])
		escaped.WriteString(url.PathEscape(value))
		rest = rest[end+1:]
	}
	decoded.WriteString(rest)
	escaped.WriteString(rest)

	u := *c.root
	u.Path, u.RawPath = decoded.String(), escaped.String()
	return &u, nil
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
