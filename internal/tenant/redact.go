package tenant

import "strings"

// Redacted replaces a secret, or a piece of one, in text.
const Redacted = "[REDACTED]"

// MinFragment is the shortest piece of a secret that Redact removes. Shorter
// pieces are too likely to be ordinary text, and too short to help anyone
// guess a key.
const MinFragment = 6

// Redact returns s with every secret, and every piece of a secret at least
// MinFragment bytes long, replaced by Redacted. A text that quotes a key
// only in part (a prefix kept "for debugging", a value cut to a length)
// keeps none of it. Secrets shorter than MinFragment are left alone: they
// would match ordinary text.
func Redact(s string, secrets ...string) string {
	var cover []bool // cover[i]: byte i of s belongs to a piece of a secret
	for _, secret := range secrets {
		if len(secret) < MinFragment || len(s) < MinFragment {
			continue
		}
		grams := make(map[string]struct{}, len(secret)-MinFragment+1)
		for i := 0; i+MinFragment <= len(secret); i++ {
			grams[secret[i:i+MinFragment]] = struct{}{}
		}
		for i := 0; i+MinFragment <= len(s); i++ {
			if _, ok := grams[s[i:i+MinFragment]]; !ok {
				continue
			}
			if cover == nil {
				cover = make([]bool, len(s))
			}
			for j := i; j < i+MinFragment; j++ {
				cover[j] = true
			}
		}
	}
	if cover == nil {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if !cover[i] {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString(Redacted)
		for i < len(s) && cover[i] {
			i++
		}
	}
	return b.String()
}
