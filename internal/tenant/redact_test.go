package tenant

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	const key = "xk_CANARY_7f3a"
	tests := []struct {
		in, want string
	}{
		{"key " + key + " refused", "key [REDACTED] refused"},
		{"prefix xk_CANARY…", "prefix [REDACTED]…"},
		{"suffix …ARY_7f3a.", "suffix …[REDACTED]."},
		{key + key, "[REDACTED]"},
		{"middle _CANAR_", "middle [REDACTED]_"},
		{"five xk_CA only", "five xk_CA only"},
		{"nothing here", "nothing here"},
		{"", ""},
		{"ünïcode xk_CANARY ü", "ünïcode [REDACTED] ü"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in, key, "short"); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := Redact("a short b", "short"); got != "a short b" {
		t.Errorf("a secret shorter than MinFragment was redacted: %q", got)
	}
}

// FuzzRedact checks that no piece of the secret of MinFragment bytes or more
// survives, whatever the text around it.
func FuzzRedact(f *testing.F) {
	f.Add("before xk_CANARY_7f3a after", "xk_CANARY_7f3a")
	f.Add("xk_CANARYxk_CANARY", "xk_CANARY_7f3a")
	f.Add("aaaaaaaaaaaa", "aaaaaaa")
	f.Fuzz(func(t *testing.T, text, secret string) {
		out := Redact(text, secret)
		if len(secret) < MinFragment {
			if out != text {
				t.Fatalf("short secret changed %q to %q", text, out)
			}
			return
		}
		// Only the text between the markers came from the input.
		for _, kept := range strings.Split(out, Redacted) {
			for i := 0; i+MinFragment <= len(secret); i++ {
				if piece := secret[i : i+MinFragment]; strings.Contains(kept, piece) {
					t.Fatalf("Redact(%q, %q) = %q keeps %q", text, secret, out, piece)
				}
			}
		}
	})
}
