package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// demo is a simulated Xyte API running inside the process for --demo.
type demo struct {
	baseURL string // hub root, such as http://127.0.0.1:41234
	key     string // the simulator's demo organization key
	srv     *http.Server
	done    chan struct{}
}

// startDemo starts the simulator on a random loopback port. It stops when
// ctx ends or stop is called, whichever comes first.
func startDemo(ctx context.Context, logger *slog.Logger) (*demo, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start demo simulator: %w", err)
	}
	d := &demo{
		baseURL: "http://" + ln.Addr().String(),
		key:     xytesim.DemoOrgKey,
		srv: &http.Server{
			Handler:           xytesim.New(xytesim.Config{}),
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		done: make(chan struct{}),
	}
	go func() {
		defer close(d.done)
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("demo simulator stopped", "error", err)
		}
	}()
	return d, nil
}

// stop closes the simulator and waits for it.
func (d *demo) stop() {
	_ = d.srv.Close()
	<-d.done
}
