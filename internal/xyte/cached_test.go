package xyte_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/cache"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

func newCachedClient(tb testing.TB) (*xytesim.Server, *xyte.Client) {
	tb.Helper()
	sim, _ := newSim(tb)
	srv := httptest.NewServer(sim)
	tb.Cleanup(srv.Close)
	rc := cache.New(cache.Options[*xyte.Response]{TTL: time.Minute,
		Weigh: (*xyte.Response).Weight})
	tb.Cleanup(rc.Close)
	c, err := xyte.New(xyte.Options{BaseURL: srv.URL, Key: keyA, Cache: rc, MaxRetries: -1})
	if err != nil {
		tb.Fatal(err)
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

// TestCachedReadsAreCopies reads the same cached answers many times: each
// read equals a fresh decode, and what one caller changes in its value never
// reaches the next caller, even when they read at the same time.
func TestCachedReadsAreCopies(t *testing.T) {
	t.Parallel()
	sim, c := newCachedClient(t)
	ctx := context.Background()
	id := firstDevice(t, c)
	// Fresh decodes of the same answers, straight from their bodies.
	var fresh *xyte.Device
	var freshPage *xyte.Page[xyte.Device]
	for endpoint, out := range map[string]any{"devices.getDevice": &fresh, "devices.getDevices": &freshPage} {
		req := xyte.Request{}
		if endpoint == "devices.getDevice" {
			req.Path = map[string]string{"device_id": id}
		}
		resp, err := c.Call(ctx, endpoint, req)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(resp.Body, out); err != nil {
			t.Fatal(err)
		}
	}
	if fresh.State == nil || fresh.Details == nil || fresh.Model == nil || len(freshPage.Items) < 2 {
		t.Fatalf("the simulator's device lacks the maps and pointers this test changes: %+v", fresh)
	}
	before := len(sim.Requests())

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				d, err := c.GetDevice(ctx, id)
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(d, fresh) {
					t.Errorf("cached device differs from a fresh decode:\n%+v\n%+v", d, fresh)
					return
				}
				// A caller may change what it got.
				d.Name = "changed"
				d.State["power"] = "changed"
				d.Details["changed"] = true
				d.Model.Name = "changed"
				for k := range d.Extra {
					d.Extra[k][0] = 'X'
				}
				p, err := c.ListDevices(ctx, xyte.ListDevicesOptions{})
				if err != nil {
					t.Error(err)
					return
				}
				if !reflect.DeepEqual(p, freshPage) {
					t.Error("cached page differs from a fresh decode")
					return
				}
				p.Items[0].ID = "changed"
				p.Items = append(p.Items[:0], p.Items[1:]...)
			}
		})
	}
	wg.Wait()
	if n := len(sim.Requests()) - before; n != 0 {
		t.Fatalf("upstream saw %d requests; want none, every read from the cache", n)
	}
}
