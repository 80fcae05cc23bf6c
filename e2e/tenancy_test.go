package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// clientKey is the organization key a client sends in multi-tenant mode.
const clientKey = "e2e-client-org-key"

// TestServeTenancyFromEnvironment runs `xyte-mcp serve` in the tenancy mode
// of the environment the tests run in, as CI's two runs set it: XYTE_API_KEY
// set is single-tenant, unset or blank is multi-tenant. Its upstream is
// `xyte-mcp sim` with one organization, whose key is the server's in
// single-tenant mode and the client's in multi-tenant mode. The simulator
// refuses every other key, so a device list shows which key went upstream.
func TestServeTenancyFromEnvironment(t *testing.T) {
	t.Parallel()
	serverKey, set := os.LookupEnv("XYTE_API_KEY")
	mode, orgKey := "multi-tenant", clientKey
	if strings.TrimSpace(serverKey) != "" {
		mode, orgKey = "single-tenant", strings.TrimSpace(serverKey)
	}
	t.Logf("XYTE_API_KEY set: %t; checking the %s contract", set, mode)

	sim := startSim(t, orgKey)
	env := []string{"XYTE_LOG_LEVEL=info", "XYTE_BASE_URL=" + sim.base}
	if set {
		env = append(env, "XYTE_API_KEY="+serverKey)
	}
	s := startProcess(t, procEnv(env...), "serve", "--listen", "127.0.0.1:0")
	line := s.waitLine(t, s.stderr, "the listening log line", func(line string) (string, bool) {
		var msg struct{ Msg string }
		return line, json.Unmarshal([]byte(line), &msg) == nil && msg.Msg == "http server listening"
	})
	var listening struct{ Addr, Mode string }
	if err := json.Unmarshal([]byte(line), &listening); err != nil || listening.Mode != mode {
		t.Fatalf("serve logged mode %q, want %q", listening.Mode, mode)
	}
	s.base = "http://" + listening.Addr

	if mode == "single-tenant" {
		checkSingleTenant(t, s.base, orgKey)
	} else {
		checkMultiTenant(t, s.base)
	}
}

// checkSingleTenant: the server acts with its own key for a request without
// Authorization, over REST and MCP, and refuses a header with another key.
func checkSingleTenant(t *testing.T, base, serverKey string) {
	t.Helper()
	if status, _, body := getDevices(t, base, ""); status != http.StatusOK ||
		!hasDevices(body) {
		t.Errorf("GET /v1/devices without Authorization = %d %s, want 200 with devices",
			status, body)
	}
	if status, _, body := getDevices(t, base, serverKey); status != http.StatusOK {
		t.Errorf("GET /v1/devices with the server's key = %d %s, want 200", status, body)
	}
	if status, auth, body := getDevices(t, base, clientKey); status != http.StatusForbidden ||
		!strings.Contains(auth, "invalid_token") {
		t.Errorf("GET /v1/devices with another key = %d (WWW-Authenticate %q) %s, want 403 "+
			"invalid_token", status, auth, body)
	}
	listDevicesOver(t, base, "")
}

// checkMultiTenant: a request without a key is refused with a challenge,
// over REST and MCP; with the client's key in Authorization it is served.
func checkMultiTenant(t *testing.T, base string) {
	t.Helper()
	if status, auth, body := getDevices(t, base, ""); status != http.StatusUnauthorized ||
		!strings.HasPrefix(auth, "Bearer") {
		t.Errorf("GET /v1/devices without Authorization = %d (WWW-Authenticate %q) %s, "+
			"want 401 with a Bearer challenge", status, auth, body)
	}
	if status, auth := initializeMCP(t, base); status != http.StatusUnauthorized ||
		!strings.HasPrefix(auth, "Bearer") {
		t.Errorf("POST /mcp without Authorization = %d (WWW-Authenticate %q), want 401 "+
			"with a Bearer challenge", status, auth)
	}
	for _, header := range []string{clientKey, "Bearer " + clientKey} {
		if status, _, body := getDevices(t, base, header); status != http.StatusOK ||
			!hasDevices(body) {
			t.Errorf("GET /v1/devices with Authorization %q = %d %s, want 200 with devices",
				header, status, body)
		}
	}
	listDevicesOver(t, base, "Bearer "+clientKey)
}

// startSim starts `xyte-mcp sim` on a random loopback port with one
// organization key and no admin API, and returns it with its hub root.
func startSim(t *testing.T, orgKey string) *server {
	t.Helper()
	s := startProcess(t, procEnv(), "sim", "--listen", "127.0.0.1:0", "--admin-listen", "",
		"--key", orgKey, "--log-level", "warn")
	s.base = s.waitLine(t, s.stdout, "the simulator's banner", func(line string) (string, bool) {
		_, url, ok := strings.Cut(line, "Simulated Xyte API at ")
		return strings.TrimSuffix(strings.TrimSpace(url), "/core/v1/organization"), ok
	})
	return s
}

// getDevices calls GET /v1/devices with the given Authorization header
// (none when empty) and returns the status, WWW-Authenticate and body.
func getDevices(t *testing.T, base, authorization string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/v1/devices", nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body)
}

// hasDevices reports whether a /v1/devices body lists at least one device.
func hasDevices(body string) bool {
	var list struct {
		Devices []struct{ ID string } `json:"devices"`
	}
	return json.Unmarshal([]byte(body), &list) == nil && len(list.Devices) > 0 &&
		list.Devices[0].ID != ""
}

// initializeMCP posts an MCP initialize request without Authorization and
// returns the status and WWW-Authenticate.
func initializeMCP(t *testing.T, base string) (int, string) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":` +
		`"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"0"}}}`
	req, err := http.NewRequest(http.MethodPost, base+"/mcp", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}

// listDevicesOver calls list_devices with go-sdk's Streamable HTTP client,
// sending the given Authorization header (none when empty).
func listDevicesOver(t *testing.T, base, authorization string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	httpClient := &http.Client{Transport: withAuthorization{authorization}}
	client := mcp.NewClient(&mcp.Implementation{Name: "e2e", Version: "0"}, nil)
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: base + "/mcp",
		HTTPClient: httpClient}, nil)
	if err != nil {
		t.Fatalf("MCP connect with Authorization %q: %v", authorization, err)
	}
	defer cs.Close()
	listDevicesOnce(ctx, t, cs)
}

// withAuthorization sets the Authorization header of every request it sends.
type withAuthorization struct{ value string }

func (a withAuthorization) RoundTrip(r *http.Request) (*http.Response, error) {
	if a.value != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", a.value)
	}
	return http.DefaultTransport.RoundTrip(r)
}
