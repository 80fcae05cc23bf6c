package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

func init() {
	register("sim", "serve a simulated Xyte API on loopback (for demos and tests)", runSim)
}

// keyFlags collects repeated --key values: "KEY" or "KEY=Organization Name".
type keyFlags []xytesim.Org

func (k *keyFlags) String() string { return fmt.Sprintf("%d keys", len(*k)) }

func (k *keyFlags) Set(v string) error {
	key, name, _ := strings.Cut(v, "=")
	if strings.TrimSpace(key) == "" {
		return fmt.Errorf("empty key")
	}
	*k = append(*k, xytesim.Org{Key: key, Name: name})
	return nil
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runSim(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	listen := fs.String("listen", "127.0.0.1:9090", "address of the simulated API")
	admin := fs.String("admin-listen", "127.0.0.1:9091",
		"loopback address of the admin API (faults, request log); empty turns it off")
	var keys keyFlags
	fs.Var(&keys, "key", "organization key, KEY or KEY=Org Name; repeat for more organizations "+
		"(default demo-key)")
	var partnerKeys listFlag
	fs.Var(&partnerKeys, "partner-key", "partner key; repeat for more (default demo-partner-key)")
	seed := fs.Int64("seed", 1, "seed of the generated fleet")
	delay := fs.Duration("command-delay", 2*time.Second,
		"how long a command stays pending, then in_progress, before it is done")
	lenient := fs.Bool("lenient-bearer", false, "also accept 'Bearer <key>' (the hub does not)")
	iso := fs.Bool("accept-iso-times", false, "accept RFC 3339 from/to as well as epoch seconds")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("%w: -log-level must be debug, info, warn or error", errUsage)
	}

	cfg := xytesim.Config{Seed: *seed, Orgs: keys, LenientBearer: *lenient,
		AcceptISOTimes: *iso, CommandDelay: *delay}
	if len(partnerKeys) > 0 {
		cfg.PartnerKeys = partnerKeys
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	ready := func(baseURL string) { printSimBanner(e, baseURL, cfg) }
	return xytesim.ListenAndServe(ctx, cfg, *listen, *admin, newLogger(e.stderr, lvl), ready)
}

// printSimBanner tells the user how to reach the simulator. The keys are the
// simulator's own, made up for the demo.
func printSimBanner(e env, baseURL string, cfg xytesim.Config) {
	orgs := cfg.Orgs
	if len(orgs) == 0 {
		orgs = []xytesim.Org{{Key: xytesim.DemoOrgKey, Name: "Northwind Labs"}}
	}
	fmt.Fprintf(e.stdout, "Simulated Xyte API at %s%s\n", baseURL, xytesim.OrgPrefix)
	for _, o := range orgs {
		fmt.Fprintf(e.stdout, "  organization key: %s %s\n", o.Key, o.Name)
	}
	partners := cfg.PartnerKeys
	if partners == nil {
		partners = []string{xytesim.DemoPartnerKey}
	}
	for _, k := range partners {
		fmt.Fprintf(e.stdout, "  partner key:      %s\n", k)
	}
	fmt.Fprintf(e.stdout, "Try: curl -H 'Authorization: %s' %s%s/devices\n", orgs[0].Key, baseURL,
		xytesim.OrgPrefix)
}
