package xytesim

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"zero value", Config{}, ""},
		{"empty key", Config{Orgs: []Org{{Key: ""}}}, "empty"},
		{"key with spaces", Config{Orgs: []Org{{Key: " k "}}}, "spaces"},
		{"duplicate org key", Config{Orgs: []Org{{Key: "k"}, {Key: "k"}}}, "twice"},
		{"org key reused as partner key", Config{Orgs: []Org{{Key: "k"}}, PartnerKeys: []string{"k"}},
			"twice"},
		{"negative delay", Config{CommandDelay: -time.Second}, "negative"},
		{"negative log limit", Config{RequestLogLimit: -1}, "negative"},
		{"bad fault", Config{Faults: []Fault{{Route: "*"}}}, "fault 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), `"k"`) {
				t.Fatalf("the error shows a key: %v", err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s := newSim(t, Config{})
	info := decodeAs[infoJSON](t, s.must(t, "GET", "/info", DemoOrgKey, nil))
	if info.Name != "Northwind Labs" {
		t.Fatalf("default org = %q", info.Name)
	}
	wantStatus(t, s.partner(t, "GET", "/devices", DemoPartnerKey, nil), 200)

	off := newSim(t, Config{PartnerKeys: []string{}})
	wantStatus(t, off.partner(t, "GET", "/devices", DemoPartnerKey, nil), 401)
}

func TestNewPanicsOnInvalidConfig(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted an invalid config")
		}
	}()
	New(Config{Orgs: []Org{{Key: "a"}, {Key: "a"}}})
}
