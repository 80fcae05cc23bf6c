// Command composecheck checks the compose files under deploy/compose and
// .env.example against each other and against the code, since compose
// itself cannot run here:
//
//   - each compose file decodes strictly (unknown keys are errors; only
//     x- extensions may be added) and its references resolve (depends_on,
//     volumes, DATABASE_URL and REDIS_URL hosts);
//   - every xyte-mcp service keeps the image's entrypoint, runs as a numeric
//     non-root user with a read-only root filesystem, no capabilities and no
//     privilege escalation, and publishes ports on loopback by default;
//   - single-tenant files require XYTE_API_KEY; multi-tenant files never set
//     an organization or partner key; async files run a worker on
//     PostgreSQL with a required task secret;
//   - credentials are never literal values, only ${...} references;
//   - every variable set is one the server reads (or is pending), and
//     .env.example lists every setting the server reads and every compose
//     variable, each with a comment, XYTE_API_KEY blank and
//     XYTE_ALLOW_ALL_CORS=false.
//
// Exit status: 0 every check holds, 1 some do not, 2 the checks cannot run.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/xyte-mcp/xyte-mcp/tools/internal/envnames"
)

type composeFile struct {
	Name       string              `yaml:"name"`
	Services   map[string]*service `yaml:"services"`
	Volumes    map[string]any      `yaml:"volumes"`
	Networks   map[string]any      `yaml:"networks"`
	Extensions map[string]any      `yaml:",inline"`
}

type service struct {
	Image           string               `yaml:"image"`
	Build           *build               `yaml:"build"`
	Command         []string             `yaml:"command"`
	Entrypoint      []string             `yaml:"entrypoint"`
	Environment     map[string]string    `yaml:"environment"`
	Ports           []string             `yaml:"ports"`
	Volumes         []string             `yaml:"volumes"`
	Tmpfs           []string             `yaml:"tmpfs"`
	User            string               `yaml:"user"`
	ReadOnly        bool                 `yaml:"read_only"`
	CapDrop         []string             `yaml:"cap_drop"`
	CapAdd          []string             `yaml:"cap_add"`
	SecurityOpt     []string             `yaml:"security_opt"`
	Privileged      bool                 `yaml:"privileged"`
	Restart         string               `yaml:"restart"`
	StopGracePeriod string               `yaml:"stop_grace_period"`
	DependsOn       map[string]dependsOn `yaml:"depends_on"`
	Healthcheck     *healthcheck         `yaml:"healthcheck"`
}

type build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

type dependsOn struct {
	Condition string `yaml:"condition"`
}

type healthcheck struct {
	Test     []string `yaml:"test"`
	Interval string   `yaml:"interval"`
	Timeout  string   `yaml:"timeout"`
	Retries  int      `yaml:"retries"`
}

func main() {
	dir := flag.String("dir", "deploy/compose", "directory of compose files")
	envExample := flag.String("env-example", ".env.example", "the example environment file")
	configDirs := flag.String("config", "internal/config,cmd/xyte-mcp",
		"comma-separated directories of Go code that reads the server's settings")
	pendingFile := flag.String("pending", "deploy/pending-settings.txt",
		"names accepted before the server reads them")
	flag.Parse()

	env, err := envnames.FromDirs(strings.Split(*configDirs, ",")...)
	if err != nil {
		fatal(err)
	}
	pending, err := envnames.Pending(*pendingFile)
	if err != nil {
		fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(*dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		fatal(fmt.Errorf("no compose files (*.yaml) in %s", *dir))
	}
	c := &checker{env: env, pending: pending, vars: map[string]bool{}}
	for _, f := range files {
		c.file(f)
	}
	c.envExample(*envExample)
	c.finish()
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "composecheck:", err)
	os.Exit(2)
}

type checker struct {
	env      envnames.Set
	pending  map[string]bool
	vars     map[string]bool // variables the compose files interpolate
	failures []string
	notes    map[string]bool
}

func (c *checker) fail(where, format string, args ...any) {
	c.failures = append(c.failures, where+": "+fmt.Sprintf(format, args...))
}

// decode reads one compose file strictly and returns it with its text.
func decode(path string) (*composeFile, []byte, error) {
	data, err := os.ReadFile(path) // #nosec G304 -- the files of the directory given on the command line
	if err != nil {
		return nil, nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f composeFile
	if err := dec.Decode(&f); err != nil {
		return nil, nil, err
	}
	for k := range f.Extensions {
		if !strings.HasPrefix(k, "x-") {
			return nil, nil, fmt.Errorf("unknown top-level key %q (only x- extensions may be added)", k)
		}
	}
	return &f, data, nil
}

var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?][^}]*)?\}`)

func (c *checker) file(path string) {
	name := filepath.Base(path)
	f, data, err := decode(path)
	if err != nil {
		c.fail(name, "decode: %v", err)
		return
	}
	for _, m := range interpolation.FindAllStringSubmatch(string(data), -1) {
		c.vars[m[1]] = true
	}
	if f.Name == "" {
		c.fail(name, "no project name")
	}
	if len(f.Services) == 0 {
		c.fail(name, "no services")
	}
	var xyte []string
	for sname, s := range f.Services {
		where := name + " service " + sname
		c.references(where, f, s)
		if strings.Contains(s.Image, "xyte-mcp") {
			xyte = append(xyte, sname)
			c.xyteService(where, s)
		}
	}
	sort.Strings(xyte)
	if len(xyte) == 0 {
		c.fail(name, "no xyte-mcp service")
	}
	c.mode(name, f, xyte)
	fmt.Printf("  %-28s services: %s\n", name, strings.Join(sortedKeys(f.Services), ", "))
}

// references: depends_on and named volumes name things the file declares.
func (c *checker) references(where string, f *composeFile, s *service) {
	for dep := range s.DependsOn {
		if f.Services[dep] == nil {
			c.fail(where, "depends_on %s, which is not a service", dep)
		}
	}
	for _, v := range s.Volumes {
		src, _, _ := strings.Cut(v, ":")
		if !strings.HasPrefix(src, ".") && !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, "$") {
			if _, ok := f.Volumes[src]; !ok {
				c.fail(where, "volume %s is not declared under volumes:", src)
			}
		}
	}
	for _, key := range []string{"DATABASE_URL", "REDIS_URL"} {
		if host := urlHost(s.Environment[key]); host != "" && f.Services[host] == nil {
			c.fail(where, "%s names host %s, which is not a service", key, host)
		}
	}
}

// urlHost returns the host of scheme://[user[:pass]@]host[:port]/...
func urlHost(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "/")
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	host, _, _ := strings.Cut(rest, ":")
	return host
}

var secretName = regexp.MustCompile(`(KEY|TOKEN|SECRET|PASSWORD)$`)

// xyteService holds one xyte-mcp service to the image's contract.
func (c *checker) xyteService(where string, s *service) {
	switch {
	case len(s.Entrypoint) > 0:
		c.fail(where, "overrides the image's entrypoint")
	case len(s.Command) > 1 || (len(s.Command) == 1 && s.Command[0] != "worker" && s.Command[0] != "migrate"):
		c.fail(where, "command %v: use the image's CMD (serve) or [worker] / [migrate]", s.Command)
	case !regexp.MustCompile(`^[1-9][0-9]*:[0-9]+$`).MatchString(s.User):
		c.fail(where, "user %q: must be a numeric non-root uid:gid", s.User)
	case !s.ReadOnly:
		c.fail(where, "read_only is not true")
	case !contains(s.CapDrop, "ALL") || len(s.CapAdd) > 0 || s.Privileged:
		c.fail(where, "must drop ALL capabilities and add none")
	case !contains(s.SecurityOpt, "no-new-privileges:true"):
		c.fail(where, "security_opt lacks no-new-privileges:true")
	case !hasPrefix(s.Tmpfs, "/tmp"):
		c.fail(where, "no tmpfs at /tmp (the root filesystem is read-only)")
	}
	for _, p := range s.Ports {
		if !strings.Contains(p, "127.0.0.1:") {
			c.fail(where, "port %q is not published on loopback by default", p)
		}
	}
	for k, v := range s.Environment {
		c.envName(where, k)
		if (secretName.MatchString(k) || k == "DATABASE_URL") && v != "" && !strings.Contains(v, "${") {
			c.fail(where, "%s is a literal value; take credentials from the environment (${...})", k)
		}
	}
}

func (c *checker) envName(where, name string) {
	switch {
	case c.env.Known(name):
	case c.pending[name]:
		if c.notes == nil {
			c.notes = map[string]bool{}
		}
		c.notes[name] = true
	default:
		c.fail(where, "sets %s, which the server does not read (a typo, or add it to "+
			"deploy/pending-settings.txt)", name)
	}
}

// mode checks the tenancy and async rules the file's name promises.
func (c *checker) mode(name string, f *composeFile, xyte []string) {
	single := strings.HasPrefix(name, "single-tenant")
	for _, sname := range xyte {
		s, where := f.Services[sname], name+" service "+sname
		key, hasKey := s.Environment["XYTE_API_KEY"]
		switch {
		case single && (!hasKey || !strings.Contains(key, ":?")):
			c.fail(where, "single-tenant, but XYTE_API_KEY is not required (${XYTE_API_KEY:?...})")
		case !single && (hasKey || s.Environment["XYTE_ORG_API_KEY"] != "" ||
			s.Environment["XYTE_PARTNER_API_KEY"] != ""):
			c.fail(where, "multi-tenant, but sets an organization or partner key")
		}
	}
	if !strings.Contains(name, "async") {
		return
	}
	workers := 0
	for _, sname := range xyte {
		s, where := f.Services[sname], name+" service "+sname
		if len(s.Command) == 1 && s.Command[0] == "worker" {
			workers++
		}
		if s.Environment["ENABLE_ASYNC_TASKS"] != "true" {
			c.fail(where, "ENABLE_ASYNC_TASKS is not \"true\"")
		}
		if !strings.HasPrefix(s.Environment["DATABASE_URL"], "postgres://") {
			c.fail(where, "no PostgreSQL DATABASE_URL: separate workers need the shared store")
		}
		if !strings.Contains(s.Environment["XYTE_TASK_SECRET"], ":?") {
			c.fail(where, "XYTE_TASK_SECRET is not required (${XYTE_TASK_SECRET:?...})")
		}
	}
	if workers == 0 {
		c.fail(name, "async, but no service runs the worker subcommand")
	}
}

// envExample checks .env.example: every setting the server reads and every
// compose variable is listed (set or commented out) after a comment;
// nothing unknown is listed.
func (c *checker) envExample(path string) {
	data, err := os.ReadFile(path) // #nosec G304 -- the file named on the command line
	if err != nil {
		c.fail(path, "%v", err)
		return
	}
	entry := regexp.MustCompile(`^#?\s*([A-Z][A-Z0-9_]*)=(.*)$`)
	listed := map[string]string{}
	prevComment := false
	for i, line := range strings.Split(string(data), "\n") {
		m := entry.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			prevComment = strings.HasPrefix(strings.TrimSpace(line), "#")
			continue
		}
		if !prevComment && !strings.Contains(m[2], "#") {
			c.fail(path, "line %d: %s has no comment", i+1, m[1])
		}
		listed[m[1]] = m[2]
		prevComment = true
		if !c.env.Known(m[1]) && !c.pending[m[1]] && !c.vars[m[1]] {
			c.fail(path, "line %d: %s is neither a setting of the server nor a compose variable", i+1, m[1])
		}
	}
	for _, name := range c.env.Sorted() {
		if _, ok := listed[name]; !ok {
			c.fail(path, "does not list %s, which the server reads", name)
		}
	}
	for name := range c.vars {
		if _, ok := listed[name]; !ok {
			c.fail(path, "does not list %s, which the compose files use", name)
		}
	}
	if v, ok := listed["XYTE_API_KEY"]; !ok || strings.TrimSpace(stripComment(v)) != "" {
		c.fail(path, "XYTE_API_KEY must be listed blank (blank means multi-tenant)")
	}
	if v := strings.TrimSpace(stripComment(listed["XYTE_ALLOW_ALL_CORS"])); v != "false" {
		c.fail(path, "XYTE_ALLOW_ALL_CORS must be listed as false, not %q", v)
	}
	fmt.Printf("  %-28s %d variables listed\n", filepath.Base(path), len(listed))
}

func stripComment(v string) string {
	before, _, _ := strings.Cut(v, "#")
	return before
}

func (c *checker) finish() {
	if len(c.notes) > 0 {
		fmt.Printf("  note: the compose files set %s, which the server does not read yet "+
			"(deploy/pending-settings.txt)\n", strings.Join(sortedKeys(c.notes), ", "))
	}
	if len(c.failures) == 0 {
		fmt.Println("composecheck: every check holds")
		return
	}
	sort.Strings(c.failures)
	fmt.Fprintf(os.Stderr, "\ncomposecheck: %d failed checks:\n", len(c.failures))
	for _, f := range c.failures {
		fmt.Fprintln(os.Stderr, "  -", f)
	}
	os.Exit(1)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func hasPrefix(list []string, prefix string) bool {
	for _, v := range list {
		if strings.HasPrefix(v, prefix) {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
