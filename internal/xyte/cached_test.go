package xyte_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/cache"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

func newCachedClient(t *testing.T) (*xytesim.Server, *xyte.Client) {
	t.Helper()
	sim, _ := newSim(t)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	rc := cache.New(cache.Options[*xyte.Response]{TTL: time.Minute,
		Weigh: func(r *xyte.Response) int { return len(r.Body) }})
	t.Cleanup(rc.Close)
	c, err := xyte.New(xyte.Options{BaseURL: srv.URL, Key: keyA, Cache: rc, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func TestCacheServesRepeatedReadsPerTenant(t *testing.T) {
	t.Parallel()
	sim, c := newCachedClient(t)
	ctx := context.Background()
	a1, _ := c.ListDevices(ctx, xyte.ListDevicesOptions{})
	a2, _ := c.ListDevices(ctx, xyte.ListDevicesOptions{})
	b, err := c.WithKey(keyB).ListDevices(ctx, xyte.ListDevicesOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sim.Requests()); n != 2 {
		t.Fatalf("upstream saw %d requests for A, A, B; want 2", n)
	}
	if a1.Items[0].ID != a2.Items[0].ID || b.Items[0].ID == a1.Items[0].ID {
		t.Fatal("tenant B was served tenant A's devices")
	}
	// Different parameters are different entries.
	_, _ = c.ListDevices(ctx, xyte.ListDevicesOptions{PerPage: 5})
	if n := len(sim.Requests()); n != 3 {
		t.Fatalf("upstream saw %d requests; a new page size must miss", n)
	}
}

func TestCacheSkipsFailuresAndDropsOnWrite(t *testing.T) {
	t.Parallel()
	sim, c := newCachedClient(t)
	ctx := context.Background()
	id := firstDevice(t, c)

	if err := sim.SetFaults(xytesim.Fault{Route: "commands.getCommands", Status: 500, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListCommands(ctx, id); err == nil {
		t.Fatal("want the injected 500")
	}
	before, err := c.ListCommands(ctx, id)
	if err != nil {
		t.Fatalf("a failure was cached: %v", err)
	}
	if _, err := c.SendCommand(ctx, id, xyte.SendCommandRequest{Name: "reboot"}); err != nil {
		t.Fatal(err)
	}
	after, err := c.ListCommands(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Items) != len(before.Items)+1 {
		t.Fatalf("commands before %d, after a send %d: the write did not refresh the list",
			len(before.Items), len(after.Items))
	}
}
