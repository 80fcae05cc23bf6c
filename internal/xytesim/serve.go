package xytesim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownGrace bounds the graceful shutdown of ListenAndServe.
const shutdownGrace = 5 * time.Second

// ListenAndServe runs a simulator built from cfg on addr until ctx is
// cancelled, then shuts down gracefully and returns nil. When adminAddr is
// not empty it also serves AdminHandler there; that address must be a
// loopback one (127.0.0.1:0, [::1]:9091, localhost:9091), since the admin
// API is unauthenticated. ready, if not nil, is called once both listeners
// are bound, with the API's base URL ("http://127.0.0.1:PORT"); append
// OrgPrefix or PartnerPrefix for an API's own base. Hanging requests and
// injected delays end when shutdown starts.
func ListenAndServe(ctx context.Context, cfg Config, addr, adminAddr string,
	logger *slog.Logger, ready func(baseURL string)) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if adminAddr != "" {
		if err := checkLoopback(adminAddr); err != nil {
			return err
		}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	listeners, err := listenAll(ctx, addr, adminAddr)
	if err != nil {
		return err
	}
	s := New(cfg)
	handlers := []http.Handler{s, s.AdminHandler()}
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()

	servers := make([]*http.Server, len(listeners))
	errc := make(chan error, len(listeners))
	for i, ln := range listeners {
		servers[i] = &http.Server{
			Handler:           handlers[i],
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return base },
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
		go func() { errc <- servers[i].Serve(ln) }()
	}
	baseURL := "http://" + listeners[0].Addr().String()
	logListening(logger, listeners, baseURL, len(s.cfg.Orgs))
	if ready != nil {
		ready(baseURL)
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	cancelBase()
	shutdown(servers)
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return fmt.Errorf("serve simulator: %w", serveErr)
	}
	return nil
}

// listenAll binds the API address and, if set, the admin address.
func listenAll(ctx context.Context, addr, adminAddr string) ([]net.Listener, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	if adminAddr == "" {
		return []net.Listener{ln}, nil
	}
	admin, err := lc.Listen(ctx, "tcp", adminAddr)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen on admin address %s: %w", adminAddr, err)
	}
	return []net.Listener{ln, admin}, nil
}

// checkLoopback refuses an admin address that is reachable from elsewhere.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("check admin address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("check admin address %q: the admin API must listen on a loopback "+
			"address, such as 127.0.0.1:9091", addr)
	}
	return nil
}

func logListening(logger *slog.Logger, listeners []net.Listener, baseURL string, orgs int) {
	attrs := []any{"base_url", baseURL, "orgs", orgs}
	if len(listeners) > 1 {
		attrs = append(attrs, "admin_url", "http://"+listeners[1].Addr().String())
	}
	logger.Info("simulator listening", attrs...)
}

// shutdown stops the servers, closing them outright past the grace period.
func shutdown(servers []*http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
	}
}
