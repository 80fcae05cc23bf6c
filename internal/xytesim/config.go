package xytesim

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// OrgPrefix is the path prefix of every Organization API route.
const OrgPrefix = "/core/v1/organization"

// PartnerPrefix is the path prefix of every Partner API route.
const PartnerPrefix = "/core/v1/partner"

// DemoOrgKey is the organization API key of the default configuration.
const DemoOrgKey = "demo-key"

// DemoPartnerKey is the partner API key of the default configuration.
const DemoPartnerKey = "demo-partner-key"

const (
	defaultSeed         = 1
	defaultOrgName      = "Northwind Labs"
	defaultCommandDelay = 2 * time.Second
	defaultLogLimit     = 10000
)

// Config configures a Server. The zero value is usable: every field has a
// default. The simulator reads no environment variables; the `xyte-mcp sim`
// command maps its flags and environment onto this struct.
type Config struct {
	// Seed selects the generated fleet: the same seed and clock give
	// byte-identical data. Any value; 0 means the default, 1.
	Seed int64

	// Orgs lists the simulated organizations, each with its own key and its
	// own generated data. Default: one org {Key: "demo-key", Name:
	// "Northwind Labs"}.
	Orgs []Org

	// PartnerKeys are the keys accepted under PartnerPrefix. A partner key
	// sees the devices and tickets of every organization. Nil means
	// {"demo-partner-key"}; an empty non-nil slice turns the Partner API off.
	PartnerKeys []string

	// LenientBearer also accepts "Bearer <key>". The hub wants the bare key,
	// so by default (false) a Bearer value is an unknown key: 401.
	LenientBearer bool

	// AcceptISOTimes lets the from and to query parameters of histories and
	// incidents be RFC 3339 times as well as Unix epoch seconds. Default
	// false: epoch seconds only, as the hub documents.
	AcceptISOTimes bool

	// CommandDelay is how long a sent command stays pending, and then how
	// long it stays in_progress, before it reads as done. Zero or more;
	// 0 means the default, 2s. Use a nanosecond for "done at once".
	CommandDelay time.Duration

	// Now is the clock. Seeded timestamps are relative to Now() at New,
	// truncated to the minute. Default time.Now.
	Now func() time.Time

	// Faults are the faults injected from the start; see Fault. Default none.
	Faults []Fault

	// RequestLogLimit is how many requests the log keeps; older entries are
	// dropped first. Zero or more; 0 means the default, 10000.
	RequestLogLimit int
}

// Org is one simulated organization and the API key that selects it.
type Org struct {
	// Key is the organization API key: the whole Authorization header value.
	// Required; unique across all orgs and partner keys.
	Key string

	// Name is the organization's name, also the root of every full_path.
	// Default "Organization N" (N counts from 1).
	Name string

	// ReadOnly makes every non-GET request with this key answer 403, so
	// clients can exercise their handling of a key without permission.
	ReadOnly bool
}

// Validate reports the first problem with the configuration, after
// defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	if c.CommandDelay < 0 {
		return errors.New("validate config: command delay must not be negative")
	}
	if c.RequestLogLimit < 0 {
		return errors.New("validate config: request log limit must not be negative")
	}
	if err := validateKeys(c); err != nil {
		return fmt.Errorf("validate config: %w", err)
	}
	for i, f := range c.Faults {
		if err := f.Validate(); err != nil {
			return fmt.Errorf("validate config: fault %d: %w", i, err)
		}
	}
	return nil
}

// validateKeys checks that every key can be sent in a header and selects
// exactly one tenant. Key values never appear in the error.
func validateKeys(c Config) error {
	seen := map[string]bool{}
	check := func(what string, i int, key string) error {
		switch {
		case key == "":
			return fmt.Errorf("%s %d: key is empty", what, i)
		case strings.TrimSpace(key) != key || strings.ContainsAny(key, "\r\n"):
			return fmt.Errorf("%s %d: key has surrounding spaces or line breaks", what, i)
		case seen[key]:
			return fmt.Errorf("%s %d: key is used twice", what, i)
		}
		seen[key] = true
		return nil
	}
	for i, o := range c.Orgs {
		if err := check("org", i, o.Key); err != nil {
			return err
		}
	}
	for i, k := range c.PartnerKeys {
		if err := check("partner key", i, k); err != nil {
			return err
		}
	}
	return nil
}

// withDefaults returns a copy of c with every unset field defaulted. The
// slices are copied so later changes by the caller have no effect.
func (c Config) withDefaults() Config {
	if c.Seed == 0 {
		c.Seed = defaultSeed
	}
	c.Orgs = slices.Clone(c.Orgs)
	if len(c.Orgs) == 0 {
		c.Orgs = []Org{{Key: DemoOrgKey, Name: defaultOrgName}}
	}
	for i := range c.Orgs {
		if strings.TrimSpace(c.Orgs[i].Name) == "" {
			c.Orgs[i].Name = fmt.Sprintf("Organization %d", i+1)
		}
	}
	if c.PartnerKeys == nil {
		c.PartnerKeys = []string{DemoPartnerKey}
	}
	c.PartnerKeys = slices.Clone(c.PartnerKeys)
	c.Faults = slices.Clone(c.Faults)
	if c.CommandDelay == 0 {
		c.CommandDelay = defaultCommandDelay
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.RequestLogLimit == 0 {
		c.RequestLogLimit = defaultLogLimit
	}
	return c
}
