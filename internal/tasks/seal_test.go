package tasks

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpens(t *testing.T) {
	t.Parallel()
	s, err := newSealer(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	id := newID()
	sealed := s.seal(id, tenantA.ID(), keyA)
	if bytes.Contains(sealed, []byte(keyA)) {
		t.Fatal("the sealed key holds the key")
	}
	if again := s.seal(id, tenantA.ID(), keyA); bytes.Equal(again, sealed) {
		t.Error("two seals of one key are equal: the nonce does not change")
	}
	if key, err := s.open(id, tenantA.ID(), sealed); err != nil || key != keyA {
		t.Fatalf("open = %v", err)
	}

	other, err := newSealer(testSecret + "-rotated")
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	tests := []struct {
		name       string
		s          *sealer
		id, tenant string
		sealed     []byte
	}{
		{"another task", s, newID(), tenantA.ID(), sealed},
		{"another tenant", s, id, tenantB.ID(), sealed},
		{"another secret", other, id, tenantA.ID(), sealed},
		{"tampered", s, id, tenantA.ID(), flipped},
		{"truncated", s, id, tenantA.ID(), sealed[:5]},
		{"empty", s, id, tenantA.ID(), nil},
	}
	for _, tt := range tests {
		if _, err := tt.s.open(tt.id, tt.tenant, tt.sealed); !errors.Is(err, errSealed) {
			t.Errorf("%s: open = %v, want errSealed", tt.name, err)
		}
	}
}

func TestWellFormedID(t *testing.T) {
	t.Parallel()
	if id := newID(); !wellFormedID(id) || len(id) != 32 {
		t.Errorf("newID() = %q", id)
	}
	for _, id := range []string{"", "abc", "../../etc/passwd", "ABCDEF0123456789ABCDEF0123456789",
		"0123456789abcdef0123456789abcdeg"} {
		if wellFormedID(id) {
			t.Errorf("wellFormedID(%q) = true", id)
		}
	}
}
