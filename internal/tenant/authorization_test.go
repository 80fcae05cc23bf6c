package tenant

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	const key = "xk_live_abc123"
	tests := []struct {
		name    string
		values  []string
		want    string
		wantErr error
	}{
		{"bare", []string{key}, key, nil},
		{"bearer", []string{"Bearer " + key}, key, nil},
		{"lower bearer", []string{"bearer " + key}, key, nil},
		{"upper bearer extra spaces", []string{"BEARER   " + key + "  "}, key, nil},
		{"bearer tab", []string{"Bearer\t" + key}, key, nil},
		{"surrounding spaces", []string{"  " + key + " "}, key, nil},
		{"missing", nil, "", ErrMissingKey},
		{"empty", []string{""}, "", ErrMissingKey},
		{"spaces only", []string{"   "}, "", ErrMissingKey},
		{"scheme only", []string{"Bearer"}, "", ErrMissingKey},
		{"scheme and space", []string{"Bearer "}, "", ErrMissingKey},
		{"scheme tab space", []string{"Bearer \t "}, "", ErrMissingKey},
		{"basic", []string{"Basic " + key}, "", ErrMalformedKey},
		{"two headers", []string{key, key}, "", ErrSeveralKeys},
		{"two empty headers", []string{"", ""}, "", ErrSeveralKeys},
		{"comma joined", []string{"Bearer " + key + ",Bearer other"}, "", ErrSeveralKeys},
		{"key with space", []string{"Bearer a b"}, "", ErrMalformedKey},
		{"control", []string{"Bearer a\x00b"}, "", ErrMalformedKey},
		{"non-ASCII", []string{"Bearer xk_ü"}, "", ErrMalformedKey},
		{"DEL", []string{"xk\x7f"}, "", ErrMalformedKey},
		{"doubled scheme", []string{"Bearer Bearer"}, "", ErrMalformedKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Authorization", v)
			}
			got, err := ParseAuthorization(h)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Fatalf("got %q, %v; want %q, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestTenantNeverShowsKey(t *testing.T) {
	t.Parallel()
	const key = "xk_CANARY_7f3a"
	tn := New(key)
	if len(tn.ID()) != 16 || tn.ID() == New("other").ID() {
		t.Fatalf("id %q", tn.ID())
	}
	text, _ := tn.MarshalText()
	for _, s := range []string{tn.String(), tn.GoString(), tn.LogValue().String(), string(text)} {
		if strings.Contains(s, "CANARY") {
			t.Fatalf("%q shows the key", s)
		}
	}
	got, ok := FromTokenInfo(tn.TokenInfo())
	if !ok || got.Key() != key || tn.TokenInfo().UserID != tn.ID() {
		t.Fatal("token info round trip lost the tenant")
	}
	// A call that came without authentication (stdio) has no token info,
	// and one that carries no tenant names none.
	if _, ok := FromTokenInfo(nil); ok {
		t.Fatal("no token info gave a tenant")
	}
	if _, ok := FromTokenInfo(Tenant{}.TokenInfo()); ok {
		t.Fatal("the zero tenant was accepted from token info")
	}
	if _, ok := FromContext(NewContext(context.Background(), Tenant{})); ok {
		t.Fatal("the zero tenant was accepted from a context")
	}
}

// FuzzParseAuthorization checks that whatever the header, the parser either
// refuses it with one of its errors or returns a key that is a trimmed,
// single token of visible ASCII contained in the header. The seed corpus is
// in testdata/fuzz/FuzzParseAuthorization.
func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{"k", "Bearer k", "bearer  k ", "Bearer", "Basic a", "a,b", "\x00",
		"Bearer \t", "BEARER\tk"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		key, err := ParseAuthorization(http.Header{"Authorization": {v}})
		if err != nil {
			if key != "" {
				t.Fatal("a refused header returned a key")
			}
			if !errors.Is(err, ErrMissingKey) && !errors.Is(err, ErrSeveralKeys) &&
				!errors.Is(err, ErrMalformedKey) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if key == "" || strings.IndexFunc(key, notKeyRune) >= 0 || strings.Contains(key, ",") ||
			!strings.Contains(v, key) {
			t.Fatalf("header %q gave key %q", v, key)
		}
		if strings.EqualFold(key, "bearer") && strings.Contains(strings.ToLower(v), "bearer ") {
			t.Fatalf("header %q gave the scheme as key", v)
		}
	})
}

// TestTokenInfo: the token info of a tenant carries it back whole; a
// Shared tenant's is made once, not for every request.
func TestTokenInfo(t *testing.T) {
	t.Parallel()
	for _, tn := range []Tenant{New("key-one"), New("key-one").Shared()} {
		ti := tn.TokenInfo()
		back, ok := FromTokenInfo(ti)
		if !ok || back.ID() != tn.ID() || back.Key() != "key-one" || ti.UserID != tn.ID() {
			t.Fatalf("FromTokenInfo = %v, %v; want %v", back, ok, tn)
		}
	}
	shared := New("key-one").Shared()
	ti := shared.TokenInfo()
	back, _ := FromTokenInfo(ti)
	if shared.TokenInfo() != ti || back.TokenInfo() != ti {
		t.Error("a shared tenant's token info is made again")
	}
	if _, ok := FromTokenInfo(nil); ok {
		t.Error("a nil token info gave a tenant")
	}
}
