package xyte

import (
	"net/url"
	"strings"
	"testing"
)

// referenceURL is the URL of a call as url.URL.String writes it from the
// decoded path and the path with each value escaped as one segment.
func referenceURL(c *Client, ep Endpoint, values map[string]string, query string) string {
	decoded := c.root.Path + ep.API.Prefix()
	escaped := decoded
	rest := ep.Path
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest, '}')
		value := values[rest[open+1:end]]
		decoded += rest[:open] + value
		escaped += rest[:open] + url.PathEscape(value)
		rest = rest[end+1:]
	}
	u := *c.root
	u.Path, u.RawPath, u.RawQuery = decoded+rest, escaped+rest, query
	return u.String()
}

// TestEndpointURLIsWhatURLStringWrites builds the URL of every endpoint,
// under plain base URLs and ones whose path url.URL escapes, with ids that
// need escaping, and compares it with what url.URL.String writes.
func TestEndpointURLIsWhatURLStringWrites(t *testing.T) {
	t.Parallel()
	bases := map[string]bool{ // base URL: whether its path is plain
		"https://hub.xyte.io":                         true,
		"http://127.0.0.1:8080/core/v1/organization/": true,
		"http://[::1]:9/x_y-z.~/core/v1/partner":      true,
		"http://h/a%2Fb":                              true,
		"http://h/a%20b":                              false,
		"http://h/x!y":                                false,
		"http://h/%2541":                              false,
		"http://h/%C3%BC":                             false,
		"http://h/a;b,c":                              false,
		"http://h/a+b":                                false,
		"http://h/*":                                  false,
	}
	ids := []string{"d1", "d 1ü;x=1&y", "a+b", "a%41", "é", "x:y@z", "(x)", "*", "a$b,c", "[x]", "a'b=c"}
	for base, plain := range bases {
		c, err := New(Options{BaseURL: base, Key: "k"})
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		if c.plainRoot != plain {
			t.Errorf("%s: plain root %v, want %v", base, c.plainRoot, plain)
		}
		for _, ep := range catalog {
			for _, id := range ids {
				values := map[string]string{}
				for _, p := range ep.Params {
					values[p.Name] = id
					if p.Type == TypeInteger {
						values[p.Name] = "12"
					}
				}
				for _, query := range []string{"", "a=1&b=x+y%2F"} {
					got, err := c.endpointURL(ep, values, query)
					if err != nil {
						continue // an id refused for this endpoint
					}
					if want := referenceURL(c, ep, values, query); got != want {
						t.Errorf("%s %s %q: got %s, want %s", base, ep.Key, id, got, want)
					}
				}
			}
		}
	}
}
