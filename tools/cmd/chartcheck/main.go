// Command chartcheck renders the xyte-mcp Helm chart for every row of the
// mode matrix (the chart's ci/*-values.yaml files), decodes the manifests
// strictly into k8s.io/api types, and asserts what the deployment must hold
// in each mode: tenancy and secrets, probes, pod security, the checksum
// annotation, the worker and its store, optional objects, and environment
// names the server actually reads. It also renders the invalid values under
// testdata/invalid and expects each to be refused with its message.
//
// Exit status: 0 every check holds, 1 some do not, 2 the checks cannot run.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/xyte-mcp/xyte-mcp/tools/internal/envnames"
	"github.com/xyte-mcp/xyte-mcp/tools/internal/kube"
)

// release is the release name every render uses.
const release = "rel"

type options struct {
	helm, chart, configDir, pendingFile, invalidDir, outDir string
}

func main() {
	var o options
	flag.StringVar(&o.helm, "helm", "helm", "helm binary")
	flag.StringVar(&o.chart, "chart", "deploy/helm/xyte-mcp", "chart directory")
	flag.StringVar(&o.configDir, "config", "internal/config,cmd/xyte-mcp",
		"comma-separated directories of Go code that reads the server's settings")
	flag.StringVar(&o.pendingFile, "pending", "deploy/pending-settings.txt",
		"names accepted before the configuration reads them")
	flag.StringVar(&o.invalidDir, "invalid", "tools/cmd/chartcheck/testdata/invalid",
		"values files that must be refused")
	flag.StringVar(&o.outDir, "out", "", "write each row's rendered manifests here")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "chartcheck:", err)
		os.Exit(2)
	}
}

func run(o options) error {
	env, err := envnames.FromDirs(strings.Split(o.configDir, ",")...)
	if err != nil {
		return err
	}
	pending, err := envnames.Pending(o.pendingFile)
	if err != nil {
		return err
	}
	defaults, err := readValues(filepath.Join(o.chart, "values.yaml"))
	if err != nil {
		return err
	}
	rows, err := filepath.Glob(filepath.Join(o.chart, "ci", "*-values.yaml"))
	if err != nil || len(rows) == 0 {
		return fmt.Errorf("no matrix rows (ci/*-values.yaml) in %s", o.chart)
	}

	r := &report{pendingSeen: map[string]bool{}}
	for name := range pending {
		if env.Known(name) {
			r.stale = append(r.stale, name)
		}
	}
	sort.Strings(r.stale)
	for _, file := range rows {
		if err := checkRow(o, r, env, pending, defaults, file); err != nil {
			return err
		}
	}
	checkRollout(o, r, rows[0])
	if err := checkInvalid(o, r); err != nil {
		return err
	}
	return r.finish()
}

// checkRow renders one matrix row and runs every assertion on it.
func checkRow(o options, r *report, env envnames.Set, pending map[string]bool,
	defaults map[string]any, file string) error {
	name := strings.TrimSuffix(filepath.Base(file), "-values.yaml")
	over, err := readValues(file)
	if err != nil {
		return err
	}
	out, err := render(o, "-f", file)
	if err != nil {
		r.fail(name, "helm template: %v", err)
		return nil
	}
	if o.outDir != "" {
		if err := os.WriteFile(filepath.Join(o.outDir, name+".yaml"), out, 0o600); err != nil {
			return err
		}
	}
	objs, err := kube.Decode(bytes.NewReader(out))
	if err != nil {
		r.fail(name, "strict decode: %v", err)
	}
	c := &check{row: name, r: r, v: values(merge(defaults, over)), objs: objs, env: env,
		pending: pending}
	c.all()
	fmt.Printf("  %-36s %2d objects: %s\n", name, len(objs), kinds(objs))
	return nil
}

// checkRollout renders a row twice, changing one setting, and expects the
// server pods' checksum annotation to change with it.
func checkRollout(o options, r *report, file string) {
	sum := func(args ...string) string {
		out, err := render(o, append([]string{"-f", file}, args...)...)
		if err != nil {
			r.fail("rollout", "helm template: %v", err)
			return ""
		}
		objs, err := kube.Decode(bytes.NewReader(out))
		if err != nil {
			r.fail("rollout", "strict decode: %v", err)
			return ""
		}
		for _, obj := range objs {
			if t, ok := kube.PodTemplate(obj); ok && obj.Kind == "Deployment" &&
				t.Labels["app.kubernetes.io/component"] == "server" {
				return t.Annotations["checksum/config"] + t.Annotations["checksum/secret"]
			}
		}
		return ""
	}
	a, b := sum("--set", "config.logLevel=info"), sum("--set", "config.logLevel=debug")
	c := sum("--set", "config.logLevel=info", "--set", "userToken=rotated-token-value")
	switch {
	case a == "" || b == "":
		r.fail("rollout", "no checksum annotations on the server's pod template")
	case a == b:
		r.fail("rollout", "changing config.logLevel does not change the pod template's checksums")
	case a == c:
		r.fail("rollout", "changing a credential does not change the pod template's checksums")
	default:
		fmt.Println("  rollout: a changed setting or credential changes the server pods' checksums")
	}
}

// checkInvalid expects every values file under the invalid directory to be
// refused, with the message its first line names ("# want: text").
func checkInvalid(o options, r *report) error {
	files, err := filepath.Glob(filepath.Join(o.invalidDir, "*.yaml"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no invalid values files in %s", o.invalidDir)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		first, _, _ := strings.Cut(string(data), "\n")
		want, ok := strings.CutPrefix(first, "# want: ")
		if !ok {
			return fmt.Errorf("%s: the first line must be '# want: <part of the error>'", file)
		}
		name := "invalid/" + filepath.Base(file)
		_, err = render(o, "-f", file)
		switch {
		case err == nil:
			r.fail(name, "rendered, but must be refused with %q", want)
		case !strings.Contains(err.Error(), strings.TrimSpace(want)):
			r.fail(name, "refused, but not with %q: %v", want, err)
		default:
			fmt.Printf("  %-36s refused: %s\n", name, strings.TrimSpace(want))
		}
	}
	return nil
}

// render runs helm template on the chart with extra arguments.
func render(o options, args ...string) ([]byte, error) {
	full := append([]string{"template", release, o.chart, "--namespace", "xyte"}, args...)
	cmd := exec.Command(o.helm, full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func readValues(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// merge returns base with over laid on top, maps merged key by key.
func merge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		bm, ok1 := out[k].(map[string]any)
		om, ok2 := v.(map[string]any)
		if ok1 && ok2 {
			out[k] = merge(bm, om)
			continue
		}
		out[k] = v
	}
	return out
}

func kinds(objs []kube.Object) string {
	count := map[string]int{}
	for _, o := range objs {
		count[o.Kind]++
	}
	names := make([]string, 0, len(count))
	for k, n := range count {
		if n > 1 {
			k = fmt.Sprintf("%s×%d", k, n)
		}
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, " ")
}

// report collects failures and notes across rows.
type report struct {
	failures    []string
	pendingSeen map[string]bool
	stale       []string // pending names the configuration now reads
}

func (r *report) fail(row, format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf("%s: %s", row, fmt.Sprintf(format, args...)))
}

func (r *report) finish() error {
	if len(r.pendingSeen) > 0 {
		names := make([]string, 0, len(r.pendingSeen))
		for n := range r.pendingSeen {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Printf("  note: the chart sets %s, which the server does not read yet "+
			"(deploy/pending-settings.txt)\n", strings.Join(names, ", "))
	}
	if len(r.stale) > 0 {
		fmt.Printf("  note: the server now reads %s: delete them from "+
			"deploy/pending-settings.txt\n", strings.Join(r.stale, ", "))
	}
	if len(r.failures) == 0 {
		fmt.Println("chartcheck: every check holds")
		return nil
	}
	fmt.Fprintf(os.Stderr, "\nchartcheck: %d failed checks:\n", len(r.failures))
	for _, f := range r.failures {
		fmt.Fprintln(os.Stderr, "  -", f)
	}
	os.Exit(1)
	return nil
}
