package xyte_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
	"github.com/xyte-mcp/xyte-mcp/internal/xytesim"
)

// Keys of the simulated organizations the tests use.
const (
	keyA       = "org-a-key"
	keyB       = "org-b-key"
	keyRO      = "org-ro-key"
	partnerKey = "partner-key"
)

// newSim starts a simulator with three organizations (A, B and a read-only
// one) and a partner key, and returns it with a client for organization A.
func newSim(tb testing.TB, faults ...xytesim.Fault) (*xytesim.Server, *xyte.Client) {
	tb.Helper()
	sim := xytesim.New(xytesim.Config{
		Seed: 7,
		Orgs: []xytesim.Org{
			{Key: keyA, Name: "Northwind Labs"},
			{Key: keyB, Name: "Contoso Media"},
			{Key: keyRO, Name: "Fabrikam Read Only", ReadOnly: true},
		},
		PartnerKeys:  []string{partnerKey},
		CommandDelay: 50 * time.Millisecond,
		Faults:       faults,
	})
	srv := httptest.NewServer(sim)
	tb.Cleanup(srv.Close)
	c, err := xyte.New(xyte.Options{BaseURL: srv.URL, Key: keyA, PartnerKey: partnerKey,
		Timeout: 5 * time.Second})
	if err != nil {
		tb.Fatal(err)
	}
	return sim, c
}

// firstDevice returns the id of the first device of the client's organization.
func firstDevice(tb testing.TB, c *xyte.Client) string {
	tb.Helper()
	page, err := c.ListDevices(context.Background(), xyte.ListDevicesOptions{PerPage: 1})
	if err != nil || len(page.Items) == 0 {
		tb.Fatalf("list devices: %v", err)
	}
	return page.Items[0].ID
}

// xytesimRequest is one entry of the simulator's request log.
type xytesimRequest = xytesim.Request
