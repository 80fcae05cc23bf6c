package main

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/xyte-mcp/xyte-mcp/tools/internal/envnames"
	"github.com/xyte-mcp/xyte-mcp/tools/internal/kube"
)

// values reads the merged values of a row by dotted path.
type values map[string]any

func (v values) get(path string) any {
	var cur any = map[string]any(v)
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

func (v values) bool(path string) bool { b, _ := v.get(path).(bool); return b }

func (v values) str(path string) string { s, _ := v.get(path).(string); return s }

// check runs the assertions on one rendered row.
type check struct {
	row     string
	r       *report
	v       values
	objs    []kube.Object
	env     envnames.Set
	pending map[string]bool
}

func (c *check) fail(format string, args ...any) { c.r.fail(c.row, format, args...) }

func (c *check) all() {
	c.labels()
	c.podSecurity()
	c.server()
	c.tenancy()
	c.credentials()
	c.plainSecrets()
	c.tasks()
	c.optional()
	c.envNames()
	c.settings()
}

// byKind returns the objects of one kind.
func (c *check) byKind(kind string) []kube.Object {
	var out []kube.Object
	for _, o := range c.objs {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	return out
}

// workload returns the pod template of the Deployment (or Job) whose pods
// carry the component label, or nil.
func (c *check) workload(kind, component string) (kube.Object, *corev1.PodTemplateSpec) {
	for _, o := range c.byKind(kind) {
		if t, ok := kube.PodTemplate(o); ok && t.Labels["app.kubernetes.io/component"] == component &&
			t.Labels["app.kubernetes.io/name"] == "xyte-mcp" {
			return o, t
		}
	}
	return kube.Object{}, nil
}

// xyteContainers returns every container that runs the xyte-mcp image.
func (c *check) xyteContainers() map[string]corev1.Container {
	out := map[string]corev1.Container{}
	repo := c.v.str("image.repository")
	for _, o := range c.objs {
		t, ok := kube.PodTemplate(o)
		if !ok {
			continue
		}
		for _, ct := range append(slices.Clone(t.Spec.InitContainers), t.Spec.Containers...) {
			if strings.HasPrefix(ct.Image, repo+":") || strings.HasPrefix(ct.Image, repo+"@") {
				out[o.String()+"/"+ct.Name] = ct
			}
		}
	}
	return out
}

// labels: every object carries the recommended labels.
func (c *check) labels() {
	for _, o := range c.objs {
		l := o.Meta().GetLabels()
		for _, k := range []string{"app.kubernetes.io/name", "app.kubernetes.io/instance",
			"app.kubernetes.io/managed-by", "helm.sh/chart"} {
			if l[k] == "" {
				c.fail("%s: no label %s", o, k)
			}
		}
	}
}

// podSecurity: every pod meets the restricted Pod Security Standard.
func (c *check) podSecurity() {
	for _, o := range c.objs {
		t, ok := kube.PodTemplate(o)
		if !ok {
			continue
		}
		ps := t.Spec.SecurityContext
		if ps == nil {
			c.fail("%s: no pod securityContext", o)
			continue
		}
		if t.Spec.HostNetwork || t.Spec.HostPID || t.Spec.HostIPC {
			c.fail("%s: uses a host namespace", o)
		}
		for _, vol := range t.Spec.Volumes {
			if vol.HostPath != nil {
				c.fail("%s: hostPath volume %s", o, vol.Name)
			}
		}
		if t.Spec.AutomountServiceAccountToken == nil || *t.Spec.AutomountServiceAccountToken {
			c.fail("%s: mounts a service account token it does not need", o)
		}
		all := append(slices.Clone(t.Spec.InitContainers), t.Spec.Containers...)
		for _, ct := range all {
			c.containerSecurity(o, ps, ct)
		}
	}
}

func (c *check) containerSecurity(o kube.Object, ps *corev1.PodSecurityContext, ct corev1.Container) {
	where := fmt.Sprintf("%s container %s", o, ct.Name)
	cs := ct.SecurityContext
	if cs == nil {
		c.fail("%s: no securityContext", where)
		return
	}
	nonRoot := ptrTrue(cs.RunAsNonRoot) || (cs.RunAsNonRoot == nil && ptrTrue(ps.RunAsNonRoot))
	uid := cs.RunAsUser
	if uid == nil {
		uid = ps.RunAsUser
	}
	seccomp := cs.SeccompProfile
	if seccomp == nil {
		seccomp = ps.SeccompProfile
	}
	switch {
	case !nonRoot:
		c.fail("%s: runAsNonRoot is not true", where)
	case uid == nil || *uid == 0:
		c.fail("%s: no numeric non-root runAsUser", where)
	case cs.AllowPrivilegeEscalation == nil || *cs.AllowPrivilegeEscalation:
		c.fail("%s: allowPrivilegeEscalation is not false", where)
	case cs.ReadOnlyRootFilesystem == nil || !*cs.ReadOnlyRootFilesystem:
		c.fail("%s: readOnlyRootFilesystem is not true", where)
	case ptrTrue(cs.Privileged):
		c.fail("%s: privileged", where)
	case cs.Capabilities == nil || !slices.Contains(cs.Capabilities.Drop, "ALL"):
		c.fail("%s: capabilities do not drop ALL", where)
	case len(cs.Capabilities.Add) > 0:
		c.fail("%s: adds capabilities %v", where, cs.Capabilities.Add)
	case seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault:
		c.fail("%s: seccomp profile is not RuntimeDefault", where)
	}
}

func ptrTrue(b *bool) bool { return b != nil && *b }

// server: the server Deployment uses the image's entrypoint and command,
// probes /healthz and /readyz on 8080, carries the checksum annotations, and
// its Service, PDB and HPA point at it.
func (c *check) server() {
	dep, t := c.workload("Deployment", "server")
	if t == nil {
		c.fail("no server Deployment")
		return
	}
	for name, ct := range c.xyteContainers() {
		if len(ct.Command) > 0 {
			c.fail("%s: overrides the image's entrypoint with command %v", name, ct.Command)
		}
	}
	ct := t.Spec.Containers[0]
	if len(ct.Args) > 0 {
		c.fail("server container: args %v override the image's CMD (serve)", ct.Args)
	}
	c.probe("liveness", ct, ct.LivenessProbe, "/healthz")
	c.probe("readiness", ct, ct.ReadinessProbe, "/readyz")
	for _, a := range []string{"checksum/config", "checksum/secret"} {
		if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(t.Annotations[a]) {
			c.fail("server pod template: annotation %s is %q, not a sha256", a, t.Annotations[a])
		}
	}
	c.writablePaths(dep, t)
	d := dep.Obj.(*appsv1.Deployment)
	grace := int64(30)
	if t.Spec.TerminationGracePeriodSeconds != nil {
		grace = *t.Spec.TerminationGracePeriodSeconds
	}
	if shutdown, _ := c.v.get("shutdownTimeoutSeconds").(float64); float64(grace) <= shutdown {
		c.fail("terminationGracePeriodSeconds %d does not exceed the drain timeout %.0fs", grace, shutdown)
	}
	if c.v.bool("autoscaling.enabled") == (d.Spec.Replicas != nil) {
		c.fail("server Deployment: replicas must be set exactly when autoscaling is off")
	}
	c.service(t)
}

// probe checks an HTTP probe's path and that its port is container port 8080.
func (c *check) probe(kind string, ct corev1.Container, p *corev1.Probe, path string) {
	if p == nil || p.HTTPGet == nil {
		c.fail("server container: no HTTP %s probe", kind)
		return
	}
	if p.HTTPGet.Path != path {
		c.fail("server container: %s probe path %q, want %q", kind, p.HTTPGet.Path, path)
	}
	if port := resolvePort(ct, p.HTTPGet.Port.String()); port != 8080 {
		c.fail("server container: %s probe port %s is %d, want 8080", kind, p.HTTPGet.Port.String(), port)
	}
}

func resolvePort(ct corev1.Container, port string) int32 {
	for _, p := range ct.Ports {
		if p.Name == port || fmt.Sprint(p.ContainerPort) == port {
			return p.ContainerPort
		}
	}
	var n int32
	_, _ = fmt.Sscan(port, &n)
	return n
}

// writablePaths: with a read-only root filesystem the server may write only
// to /tmp and /data, which must be volumes.
func (c *check) writablePaths(o kube.Object, t *corev1.PodTemplateSpec) {
	mounts := map[string]bool{}
	for _, m := range t.Spec.Containers[0].VolumeMounts {
		mounts[m.MountPath] = !m.ReadOnly
	}
	for _, p := range []string{"/tmp", "/data"} {
		if !mounts[p] {
			c.fail("%s: no writable volume at %s", o, p)
		}
	}
}

// service: the Service selects the server pods only, on the named port.
func (c *check) service(t *corev1.PodTemplateSpec) {
	svcs := c.byKind("Service")
	found := false
	for _, o := range svcs {
		s := o.Obj.(*corev1.Service)
		sel := labels.SelectorFromSet(s.Spec.Selector)
		if !sel.Matches(labels.Set(t.Labels)) {
			continue
		}
		found = true
		if _, wt := c.workload("Deployment", "worker"); wt != nil && sel.Matches(labels.Set(wt.Labels)) {
			c.fail("Service %s also selects the worker pods", s.Name)
		}
		for _, p := range s.Spec.Ports {
			if resolvePort(t.Spec.Containers[0], p.TargetPort.String()) != 8080 {
				c.fail("Service %s: port %s does not reach container port 8080", s.Name, p.Name)
			}
		}
	}
	if !found {
		c.fail("no Service selects the server pods")
	}
}

// tenancy: multi-tenant renders hold no organization key anywhere;
// single-tenant renders read it from a Secret.
func (c *check) tenancy() {
	containers := c.xyteContainers()
	if c.v.bool("multiTenant") {
		for name, ct := range containers {
			for _, e := range ct.Env {
				if e.Name == "XYTE_API_KEY" || c.env.Aliases[e.Name] == "XYTE_API_KEY" ||
					e.Name == "XYTE_PARTNER_API_KEY" {
					c.fail("%s: multi-tenant, but sets %s", name, e.Name)
				}
			}
			for _, ef := range ct.EnvFrom {
				if ef.SecretRef != nil {
					c.fail("%s: envFrom Secret %s could carry a key", name, ef.SecretRef.Name)
				}
			}
		}
		for _, o := range c.byKind("Secret") {
			s := o.Obj.(*corev1.Secret)
			for k := range s.Data {
				if strings.Contains(strings.ToLower(k), "api-key") || strings.Contains(k, "API_KEY") {
					c.fail("multi-tenant, but Secret %s holds %s", s.Name, k)
				}
			}
		}
		for _, o := range c.byKind("ConfigMap") {
			for k := range o.Obj.(*corev1.ConfigMap).Data {
				if strings.Contains(k, "API_KEY") {
					c.fail("multi-tenant, but ConfigMap %s holds %s", o.Name, k)
				}
			}
		}
		return
	}
	for name, ct := range containers {
		e := findEnv(ct, "XYTE_API_KEY")
		if e == nil || e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil {
			c.fail("%s: single-tenant, but XYTE_API_KEY is not read from a Secret", name)
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if ptrTrue(ref.Optional) {
			c.fail("%s: XYTE_API_KEY is optional; a single-tenant server needs it", name)
		}
		if key := c.v.str("apiKey"); key != "" && c.secretValue(ref.Name, ref.Key) != key {
			c.fail("%s: XYTE_API_KEY does not resolve to apiKey", name)
		}
	}
}

// secretValue returns a key of a Secret rendered by the chart.
func (c *check) secretValue(name, key string) string {
	for _, o := range c.byKind("Secret") {
		if s := o.Obj.(*corev1.Secret); s.Name == name {
			return string(s.Data[key])
		}
	}
	return ""
}

// xyteSecret returns the chart's own Secret, or nil.
func (c *check) xyteSecret() *corev1.Secret {
	for _, o := range c.byKind("Secret") {
		s := o.Obj.(*corev1.Secret)
		if s.Labels["app.kubernetes.io/name"] == "xyte-mcp" {
			return s
		}
	}
	return nil
}

// credentials: userToken and oauthToken reach the Secret only when they are
// non-empty, and the Secret exists only when it holds something.
func (c *check) credentials() {
	s := c.xyteSecret()
	if s != nil && len(s.Data) == 0 {
		c.fail("Secret %s is rendered empty", s.Name)
	}
	for _, item := range []struct{ value, key, env string }{
		{"userToken", "user-token", "XYTE_USER_TOKEN"},
		{"oauthToken", "oauth-token", "XYTE_OAUTH_TOKEN"},
	} {
		val := c.v.str(item.value)
		has := s != nil && s.Data[item.key] != nil
		switch {
		case val == "" && has:
			c.fail("%s is empty but the Secret holds %s", item.value, item.key)
		case val != "" && !has:
			c.fail("%s is set but the Secret lacks %s", item.value, item.key)
		case val != "" && string(s.Data[item.key]) != val:
			c.fail("Secret key %s does not hold %s", item.key, item.value)
		}
		for name, ct := range c.xyteContainers() {
			e := findEnv(ct, item.env)
			if (e != nil) != (val != "" || c.v.str("existingSecret") != "") {
				c.fail("%s: %s is set exactly when %s or existingSecret is", name, item.env, item.value)
			}
		}
	}
}

// plainSecrets: no credential is ever a literal env value or ConfigMap key.
func (c *check) plainSecrets() {
	secretish := regexp.MustCompile(`(KEY|TOKEN|SECRET|PASSWORD|DATABASE_URL|REDIS_URL)$`)
	for name, ct := range c.xyteContainers() {
		for _, e := range ct.Env {
			if secretish.MatchString(e.Name) && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
				c.fail("%s: %s is not read from a Secret", name, e.Name)
			}
		}
	}
	for _, o := range c.byKind("ConfigMap") {
		for k := range o.Obj.(*corev1.ConfigMap).Data {
			if secretish.MatchString(k) {
				c.fail("ConfigMap %s holds the credential %s", o.Name, k)
			}
		}
	}
}

// tasks: the worker, migration Job and store exist exactly with async tasks.
func (c *check) tasks() {
	on := c.v.bool("tasks.enabled")
	_, worker := c.workload("Deployment", "worker")
	_, migrate := c.workload("Job", "migrate")
	if on != (worker != nil) {
		c.fail("worker Deployment rendered=%v, tasks.enabled=%v", worker != nil, on)
	}
	if want := on && c.v.bool("tasks.migrate.enabled"); want != (migrate != nil) {
		c.fail("migrate Job rendered=%v, want %v", migrate != nil, want)
	}
	if worker != nil {
		ct := worker.Spec.Containers[0]
		if !slices.Equal(ct.Args, []string{"worker"}) {
			c.fail("worker container: args %v, want [worker]", ct.Args)
		}
		c.workerProbes(ct)
	}
	if migrate != nil && !slices.Equal(migrate.Spec.Containers[0].Args, []string{"migrate"}) {
		c.fail("migrate container: args %v, want [migrate]", migrate.Spec.Containers[0].Args)
	}
	for _, o := range c.byKind("ConfigMap") {
		if o.Obj.(*corev1.ConfigMap).Labels["app.kubernetes.io/name"] != "xyte-mcp" {
			continue
		}
		if got := o.Obj.(*corev1.ConfigMap).Data["ENABLE_ASYNC_TASKS"]; got != fmt.Sprint(on) {
			c.fail("ConfigMap: ENABLE_ASYNC_TASKS=%q, want %v", got, on)
		}
	}
	for name, ct := range c.xyteContainers() {
		if (findEnv(ct, "DATABASE_URL") != nil) != on {
			c.fail("%s: DATABASE_URL set=%v, want %v", name, !on, on)
		}
	}
	c.postgres(on)
}

func (c *check) workerProbes(ct corev1.Container) {
	for _, p := range []struct {
		probe *corev1.Probe
		path  string
	}{{ct.LivenessProbe, "/healthz"}, {ct.ReadinessProbe, "/readyz"}} {
		if p.probe == nil || p.probe.HTTPGet == nil || p.probe.HTTPGet.Path != p.path ||
			resolvePort(ct, p.probe.HTTPGet.Port.String()) != 8080 {
			c.fail("worker container: no HTTP probe of %s on 8080", p.path)
		}
	}
}

// postgres: the bundled database is rendered exactly when enabled, and
// DATABASE_URL names its Service.
func (c *check) postgres(tasksOn bool) {
	on := c.v.bool("postgresql.enabled")
	var sts *appsv1.StatefulSet
	for _, o := range c.byKind("StatefulSet") {
		sts = o.Obj.(*appsv1.StatefulSet)
	}
	if on != (sts != nil) {
		c.fail("PostgreSQL StatefulSet rendered=%v, postgresql.enabled=%v", sts != nil, on)
	}
	if !on || !tasksOn {
		return
	}
	url := c.secretValue(c.xyteSecret().Name, "database-url")
	host := release + "-postgresql"
	if !strings.Contains(url, "@"+host+":5432/") {
		c.fail("DATABASE_URL %q does not name the bundled PostgreSQL Service %s", redact(url), host)
	}
	found := false
	for _, o := range c.byKind("Service") {
		found = found || o.Name == host
	}
	if !found {
		c.fail("no Service %s for the bundled PostgreSQL", host)
	}
}

func redact(url string) string {
	return regexp.MustCompile(`:[^:@/]*@`).ReplaceAllString(url, ":****@")
}

// optional: Ingress, HPA, PDB, NetworkPolicy and Redis follow their values.
func (c *check) optional() {
	for _, item := range []struct {
		kind, value string
	}{
		{"Ingress", "ingress.enabled"},
		{"HorizontalPodAutoscaler", "autoscaling.enabled"},
		{"PodDisruptionBudget", "podDisruptionBudget.enabled"},
		{"NetworkPolicy", "networkPolicy.enabled"},
	} {
		if got := len(c.byKind(item.kind)) > 0; got != c.v.bool(item.value) {
			c.fail("%s rendered=%v, %s=%v", item.kind, got, item.value, c.v.bool(item.value))
		}
	}
	dep, t := c.workload("Deployment", "server")
	if t == nil {
		return
	}
	for _, o := range c.byKind("HorizontalPodAutoscaler") {
		h := o.Obj.(*autoscalingv2.HorizontalPodAutoscaler)
		if h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.Name != dep.Name {
			c.fail("HPA %s does not scale Deployment %s", h.Name, dep.Name)
		}
	}
	for _, o := range c.byKind("PodDisruptionBudget") {
		p := o.Obj.(*policyv1.PodDisruptionBudget)
		if p.Spec.Selector == nil || labels.SelectorFromSet(p.Spec.Selector.MatchLabels).Empty() {
			c.fail("PDB %s: empty selector", p.Name)
		} else if !labels.SelectorFromSet(p.Spec.Selector.MatchLabels).Matches(labels.Set(t.Labels)) &&
			p.Labels["app.kubernetes.io/component"] == "server" {
			c.fail("PDB %s does not select the server pods", p.Name)
		}
	}
	c.ingress()
	c.redis()
	for _, o := range c.byKind("NetworkPolicy") {
		np := o.Obj.(*networkingv1.NetworkPolicy)
		if len(np.Spec.PolicyTypes) != 2 {
			c.fail("NetworkPolicy %s: must restrict ingress and egress", np.Name)
		}
	}
	for _, o := range c.byKind("Job") {
		if j := o.Obj.(*batchv1.Job); j.Spec.BackoffLimit == nil {
			c.fail("Job %s: no backoffLimit", j.Name)
		}
	}
}

// ingress: every backend names the server Service and one of its ports.
func (c *check) ingress() {
	for _, o := range c.byKind("Ingress") {
		ing := o.Obj.(*networkingv1.Ingress)
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				c.fail("Ingress %s: rule without http paths", ing.Name)
				continue
			}
			for _, p := range rule.HTTP.Paths {
				svc := p.Backend.Service
				if svc == nil || !c.servicePort(svc.Name, svc.Port.Name, svc.Port.Number) {
					c.fail("Ingress %s: backend of %s is not a port of a rendered Service", ing.Name, p.Path)
				}
			}
		}
	}
}

func (c *check) servicePort(name, portName string, number int32) bool {
	for _, o := range c.byKind("Service") {
		s := o.Obj.(*corev1.Service)
		if s.Name != name {
			continue
		}
		for _, p := range s.Spec.Ports {
			if (portName != "" && p.Name == portName) || (number != 0 && p.Port == number) {
				return true
			}
		}
	}
	return false
}

// redis: REDIS_URL is set exactly when a Redis is configured.
func (c *check) redis() {
	want := c.v.str("redis.url") != "" || c.v.str("redis.existingSecret") != ""
	for name, ct := range c.xyteContainers() {
		if (findEnv(ct, "REDIS_URL") != nil) != want {
			c.fail("%s: REDIS_URL set=%v, want %v", name, !want, want)
		}
	}
	if u := c.v.str("redis.url"); u != "" {
		if s := c.xyteSecret(); s == nil || string(s.Data["redis-url"]) != u {
			c.fail("the Secret does not hold redis.url")
		}
	}
}

// envNames: every variable the chart sets is one the server reads (or is
// listed as pending).
func (c *check) envNames() {
	check := func(where, name string) {
		switch {
		case c.env.Known(name):
		case c.pending[name]:
			c.r.pendingSeen[name] = true
		default:
			c.fail("%s: sets %s, which the server does not read "+
				"(a typo, or add it to deploy/pending-settings.txt)", where, name)
		}
	}
	for name, ct := range c.xyteContainers() {
		for _, e := range ct.Env {
			if !c.extraEnv(e.Name) {
				check(name, e.Name)
			}
		}
	}
	for _, o := range c.byKind("ConfigMap") {
		cm := o.Obj.(*corev1.ConfigMap)
		if cm.Labels["app.kubernetes.io/name"] != "xyte-mcp" {
			continue
		}
		for k := range cm.Data {
			check("ConfigMap "+cm.Name, k)
		}
	}
}

// extraEnv reports whether name comes from the extraEnv value as is.
func (c *check) extraEnv(name string) bool {
	list, _ := c.v.get("extraEnv").([]any)
	for _, item := range list {
		if m, ok := item.(map[string]any); ok && m["name"] == name {
			return true
		}
	}
	return false
}

func findEnv(ct corev1.Container, name string) *corev1.EnvVar {
	for i := range ct.Env {
		if ct.Env[i].Name == name {
			return &ct.Env[i]
		}
	}
	return nil
}

// configEnv maps each config value to the variable it sets.
var configEnv = map[string]string{
	"baseURL": "XYTE_BASE_URL", "upstreamTimeout": "XYTE_UPSTREAM_TIMEOUT",
	"cacheTTL": "XYTE_CACHE_TTL", "cacheMaxBytes": "XYTE_CACHE_MAX_BYTES",
	"rateLimit": "XYTE_RATE_LIMIT", "rateBurst": "XYTE_RATE_BURST", "logLevel": "XYTE_LOG_LEVEL",
	"readOnly": "XYTE_READ_ONLY", "requireAuth": "XYTE_REQUIRE_AUTH",
	"allowAllCORS": "XYTE_ALLOW_ALL_CORS", "experimentalAPIs": "XYTE_EXPERIMENTAL_APIS",
	"sessions": "XYTE_MCP_SESSIONS", "maxBodyBytes": "XYTE_MAX_BODY_BYTES", "plugins": "XYTE_PLUGINS",
	"webhookTolerance": "XYTE_WEBHOOK_TOLERANCE", "auditFile": "XYTE_AUDIT_FILE",
	"eventsBuffer": "XYTE_EVENTS_BUFFER", "eventsKeepAlive": "XYTE_EVENTS_KEEPALIVE",
}

// settings: every non-empty config value reaches the ConfigMap unchanged
// (0 included: it turns the cache or the limits off), and empty ones leave
// the server's default.
func (c *check) settings() {
	var data map[string]string
	for _, o := range c.byKind("ConfigMap") {
		if cm := o.Obj.(*corev1.ConfigMap); cm.Labels["app.kubernetes.io/name"] == "xyte-mcp" {
			data = cm.Data
		}
	}
	if data == nil {
		c.fail("no ConfigMap of the server")
		return
	}
	for key, env := range configEnv {
		want := formatValue(c.v.get("config." + key))
		got, ok := data[env]
		switch {
		case want == "" && ok:
			c.fail("config.%s is empty but the ConfigMap sets %s=%q", key, env, got)
		case want != "" && got != want:
			c.fail("config.%s is %q but the ConfigMap sets %s=%q", key, want, env, got)
		}
	}
	origins, _ := c.v.get("config.corsOrigins").([]any)
	if got := data["XYTE_CORS_ORIGINS"]; len(origins) > 0 && got != joinAny(origins) {
		c.fail("XYTE_CORS_ORIGINS=%q, want %q", got, joinAny(origins))
	}
	hooks, _ := c.v.get("config.webhookURLs").([]any)
	if got := data["XYTE_WEBHOOK_URLS"]; len(hooks) > 0 && got != joinAny(hooks) {
		c.fail("XYTE_WEBHOOK_URLS=%q, want %q", got, joinAny(hooks))
	}
}

// formatValue prints a value as the chart renders it: numbers without
// exponent, booleans as true/false, nil as "".
func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case float64:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprint(v)
	}
}

func joinAny(list []any) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}
