package e2e_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkStartToReady measures, per iteration, the time from starting
// `xyte-mcp serve --demo` to its first 200 from /readyz, and after the first
// ready answer plus one second of idling, the process's resident memory.
//
//	go test ./e2e -run '^$' -bench StartToReady -benchtime 20x
//
// Targets: start-to-ready under 200 ms, idle RSS under 40 MiB.
func BenchmarkStartToReady(b *testing.B) {
	var total, worst time.Duration
	var rssSum, rssMax int64
	for i := 0; i < b.N; i++ {
		took, rss := startAndMeasure(b)
		total += took
		worst = max(worst, took)
		rssSum += rss
		rssMax = max(rssMax, rss)
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/ready")
	b.ReportMetric(float64(worst.Milliseconds()), "ms/ready-max")
	b.ReportMetric(float64(rssSum)/float64(b.N)/(1<<20), "MiB-idle-rss")
	b.ReportMetric(float64(rssMax)/(1<<20), "MiB-idle-rss-max")
}

// startAndMeasure starts one server on a free port, waits for /readyz and
// returns the time it took and the idle RSS in bytes.
func startAndMeasure(b *testing.B) (time.Duration, int64) {
	b.Helper()
	port := freePort(b)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(binary, "serve", "--demo", "--listen", addr)
	cmd.Env = procEnv("XYTE_LOG_LEVEL=warn")
	client := &http.Client{Timeout: time.Second}

	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Since(start) > 10*time.Second {
			b.Fatal("server not ready after 10s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	took := time.Since(start)
	time.Sleep(time.Second)
	return took, residentBytes(b, cmd.Process.Pid)
}

// residentBytes reads VmRSS of a process from /proc (Linux only).
func residentBytes(b *testing.B, pid int) int64 {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skip("no /proc: RSS is measured on Linux only")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// freePort returns a loopback port that was free a moment ago.
func freePort(b *testing.B) int {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
