// Command load measures get_device through the server against a bare reverse
// proxy to the same simulator, in one run:
//
//	go run ./e2e/load -duration 5s -concurrency 16 -rounds 5
//
// It starts the simulator in this process, and three processes pointed at
// it: a bare httputil.ReverseProxy (this command run again, in proxy mode)
// and two xyte-mcp serve processes, one with the response cache off (cold)
// and one with it on (warm). The proxy runs in a process of its own, as the
// servers do, so that it pays the same costs of a second process on the same
// cores (-proxy-in-process measures it in this one). Each scenario is a
// closed loop of concurrent callers for the given duration, split into
// rounds that take turns with the other scenarios, so that a machine busy
// with something else slows every scenario alike. The output is a Markdown
// table of requests per second, the share of the proxy's, p50, p99 and the
// server's memory.
// Everything listens on 127.0.0.1 only, and every process started is stopped
// by its PID at the end.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

const benchKey = "bench-key-0001"

func main() {
	duration := flag.Duration("duration", 5*time.Second, "length of each scenario")
	concurrency := flag.Int("concurrency", 16, "concurrent callers")
	rounds := flag.Int("rounds", 5, "turns each scenario takes, each of duration/rounds")
	bin := flag.String("bin", "", "xyte-mcp binary (default: build it)")
	inProcess := flag.Bool("proxy-in-process", false,
		"run the proxy in this process, beside the callers and the simulator")
	flag.Parse()
	if target := os.Getenv(proxyTargetEnv); target != "" {
		if err := serveProxy(target); err != nil {
			fmt.Fprintln(os.Stderr, "load proxy:", err)
			os.Exit(1)
		}
		return
	}
	if *rounds < 1 {
		fmt.Fprintln(os.Stderr, "load: -rounds must be at least 1")
		os.Exit(2)
	}
	if err := run(context.Background(), *duration, *concurrency, *rounds, *bin, *inProcess); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// scenario is one measured request shape.
type scenario struct {
	name string
	do   func(*http.Client) error
	pid  int // server process whose memory is reported, 0 for none
}

func run(ctx context.Context, duration time.Duration, concurrency, rounds int, bin string,
	proxyInProcess bool) error {
	sim, simURL, err := startSim(ctx)
	if err != nil {
		return err
	}
	defer sim.Close()
	deviceID := xytesimDevice(ctx, simURL)

	var proxyURL string
	proxyPID := 0
	if proxyInProcess {
		proxy, u, err := listenProxy(ctx, simURL)
		if err != nil {
			return err
		}
		defer proxy.Close()
		proxyURL = u
	} else {
		proxy, err := startProxyProcess(ctx, simURL)
		if err != nil {
			return err
		}
		defer proxy.stop()
		proxyURL, proxyPID = proxy.url, proxy.cmd.Process.Pid
	}

	if bin == "" {
		if bin, err = build(ctx); err != nil {
			return err
		}
	}
	cold, err := startServer(ctx, bin, simURL, "0")
	if err != nil {
		return err
	}
	defer cold.stop()
	warm, err := startServer(ctx, bin, simURL, "60")
	if err != nil {
		return err
	}
	defer warm.stop()

	scenarios := []scenario{
		{"bare ReverseProxy to the simulator", getter(ctx, proxyURL+
			"/core/v1/organization/devices/"+deviceID), proxyPID},
		{"REST GET /v1/devices/{id}, cache cold", getter(ctx, cold.url+"/v1/devices/"+deviceID),
			cold.cmd.Process.Pid},
		{"REST GET /v1/devices/{id}, cache warm", getter(ctx, warm.url+"/v1/devices/"+deviceID),
			warm.cmd.Process.Pid},
		{"MCP tools/call get_device, cache cold", mcpCaller(ctx, cold.url, deviceID),
			cold.cmd.Process.Pid},
		{"MCP tools/call get_device, cache warm", mcpCaller(ctx, warm.url, deviceID),
			warm.cmd.Process.Pid},
	}
	fmt.Printf("%d callers, %s per scenario in %d rounds, GOMAXPROCS default, all on 127.0.0.1\n\n",
		concurrency, duration, rounds)
	clients := make([]*http.Client, len(scenarios))
	for i, s := range scenarios {
		clients[i] = warmUp(s, concurrency)
	}
	results := make([]samples, len(scenarios))
	for range rounds {
		for i, s := range scenarios {
			results[i].add(measure(s, clients[i], duration/time.Duration(rounds), concurrency))
		}
	}
	fmt.Println("| scenario | requests/s | of the proxy | p50 | p99 | errors | " +
		"CPU/request: callers, sim | CPU/request: server | server RSS (peak) |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	proxyRPS := results[0].summary().rps
	for i, s := range scenarios {
		r := results[i].summary()
		fmt.Printf("| %s | %.0f | %.0f%% | %s | %s | %d | %s | %s | %s |\n", s.name, r.rps,
			100*r.rps/proxyRPS, r.p50, r.p99, r.errors, roundCPU(r.callerCPU),
			roundCPU(r.serverCPU), memory(s.pid))
	}
	return nil
}

func startSim(ctx context.Context) (*http.Server, string, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	sim := xytesim.New(xytesim.Config{Orgs: []xytesim.Org{{Key: benchKey, Name: "Bench Org"}}})
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

// xytesimDevice returns the id of the first device of the bench org.
func xytesimDevice(ctx context.Context, simURL string) string {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet,
		simURL+"/core/v1/organization/devices?per_page=1", nil)
	req.Header.Set("Authorization", benchKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	_, rest, _ := strings.Cut(string(body), `"id":"`)
	id, _, _ := strings.Cut(rest, `"`)
	return id
}

// proxyTargetEnv, when set, makes this command serve the bare proxy to the
// simulator at its value: the first line on stdout is the proxy's URL.
const proxyTargetEnv = "XYTE_LOAD_PROXY_TARGET"

// newProxy returns the bare reverse proxy to the simulator.
func newProxy(simURL string) *httputil.ReverseProxy {
	target, _ := url.Parse(simURL)
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Set("Authorization", benchKey)
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 128},
	}
}

func listenProxy(ctx context.Context, simURL string) (*http.Server, string, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	srv := &http.Server{Handler: newProxy(simURL), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return srv, "http://" + ln.Addr().String(), nil
}

// serveProxy is the proxy process: it serves until SIGTERM.
func serveProxy(simURL string) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	srv, u, err := listenProxy(ctx, simURL)
	if err != nil {
		return err
	}
	fmt.Println(u)
	<-ctx.Done()
	return srv.Close()
}

// startProxyProcess runs this command again as the proxy process.
func startProxyProcess(ctx context.Context, simURL string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), proxyTargetEnv + "=" + simURL}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("proxy process: %w", err)
	}
	return &server{cmd: cmd, url: strings.TrimSpace(line)}, nil
}

func build(ctx context.Context) (string, error) {
	dir, err := os.MkdirTemp("", "xyte-mcp-load")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "xyte-mcp")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/xyte-mcp")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build xyte-mcp (run from the repository root): %w", err)
	}
	return bin, nil
}

type server struct {
	cmd *exec.Cmd
	url string
}

// startServer starts `xyte-mcp serve` single-tenant against the simulator,
// with the given cache TTL and no rate limit, and waits until it is ready.
// GOGC, GOMEMLIMIT and AUTOMEMLIMIT pass from this command's environment.
func startServer(ctx context.Context, bin, simURL, cacheTTL string) (*server, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", addr)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "XYTE_API_KEY=" + benchKey,
		"XYTE_BASE_URL=" + simURL, "XYTE_CACHE_TTL=" + cacheTTL, "XYTE_RATE_LIMIT=0",
		"XYTE_LOG_LEVEL=error"}
	// The collector settings pass through, to measure serve with others
	// than its own (GOGC=100 is Go's default).
	for _, name := range []string{"GOGC", "GOMEMLIMIT", "AUTOMEMLIMIT"} {
		if v, ok := os.LookupEnv(name); ok {
			cmd.Env = append(cmd.Env, name+"="+v)
		}
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, url: "http://" + addr}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if ready(ctx, s.url+"/readyz") {
			return s, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop()
	return nil, errors.New("server did not become ready")
}

// ready reports whether a GET of u answers 200 OK.
func ready(ctx context.Context, u string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	_ = s.cmd.Wait()
}

func getter(ctx context.Context, u string) func(*http.Client) error {
	return func(c *http.Client) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return err
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
}

// bodies holds the buffers answers are read into, so that reading a larger
// answer costs the callers no more allocations than a smaller one.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// mcpCaller sends a stateless tools/call, as an MCP client does after
// initialize, and reads the whole answer.
func mcpCaller(ctx context.Context, base, deviceID string) func(*http.Client) error {
	body := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_device",` +
		`"arguments":{"device_id":"` + deviceID + `"}}}`)
	return func(c *http.Client) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/mcp", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Protocol-Version", "2025-06-18")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		buf := bodies.Get().(*bytes.Buffer)
		defer bodies.Put(buf)
		buf.Reset()
		_, _ = buf.ReadFrom(resp.Body)
		data := buf.Bytes()
		if resp.StatusCode != http.StatusOK || !bytes.Contains(data, []byte(`"result"`)) ||
			bytes.Contains(data, []byte(`"isError":true`)) {
			return fmt.Errorf("status %d", resp.StatusCode)
		}
		return nil
	}
}

type result struct {
	rps      float64
	p50, p99 time.Duration
	errors   int
	// CPU time per request of this process (callers and simulator, and the
	// proxy with -proxy-in-process) and of the server process, if any.
	callerCPU, serverCPU time.Duration
}

// samples gathers a scenario's rounds.
type samples struct {
	latencies            []time.Duration
	took                 time.Duration
	errors               int
	callerCPU, serverCPU time.Duration
}

func (s *samples) add(r samples) {
	s.latencies = append(s.latencies, r.latencies...)
	s.took += r.took
	s.errors += r.errors
	s.callerCPU += r.callerCPU
	s.serverCPU += r.serverCPU
}

// summary gives the requests per second over all rounds and the latency
// percentiles of every request.
func (s *samples) summary() result {
	if len(s.latencies) == 0 {
		return result{errors: s.errors}
	}
	all := slices.Clone(s.latencies)
	slices.Sort(all)
	n := time.Duration(len(all))
	return result{rps: float64(len(all)) / s.took.Seconds(), p50: round(all[len(all)/2]),
		p99: round(all[len(all)*99/100]), errors: s.errors,
		callerCPU: s.callerCPU / n, serverCPU: s.serverCPU / n}
}

// warmUp returns the scenario's client with its connections open.
func warmUp(s scenario, concurrency int) *http.Client {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency * 2},
		Timeout: 10 * time.Second}
	for range 50 {
		_ = s.do(client)
	}
	return client
}

// measure runs a closed loop of concurrency callers for d.
func measure(s scenario, client *http.Client, d time.Duration, concurrency int) samples {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	var out samples
	var wg sync.WaitGroup
	start := time.Now()
	callerStart, serverStart := selfCPU(), processCPU(s.pid)
	for range concurrency {
		wg.Go(func() {
			var mine []time.Duration
			bad := 0
			for ctx.Err() == nil {
				t := time.Now()
				if err := s.do(client); err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			out.latencies = append(out.latencies, mine...)
			out.errors += bad
			mu.Unlock()
		})
	}
	wg.Wait()
	out.took = time.Since(start)
	out.callerCPU, out.serverCPU = selfCPU()-callerStart, processCPU(s.pid)-serverStart
	return out
}

// selfCPU is the CPU time, user and system, of this process so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is the unit of the CPU times in /proc/PID/stat (USER_HZ, 100 on
// Linux).
const clockTick = 10 * time.Millisecond

// processCPU is the CPU time, user and system, of process pid so far, from
// /proc; 0 for pid 0 or when it cannot be read.
func processCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, may hold spaces; the fields after it do not.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(data[i+1:]))
	if len(fields) < 13 {
		return 0
	}
	// utime and stime are fields 14 and 15 of the line, 12 and 13 after it.
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * clockTick
}

func round(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }

func roundCPU(d time.Duration) time.Duration { return d.Round(time.Microsecond) }

// memory reports a process's resident and peak resident memory.
func memory(pid int) string {
	if pid == 0 {
		return "n/a"
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "n/a"
	}
	var rss, hwm string
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	return rss + " (" + hwm + ")"
}
