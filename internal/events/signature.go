package events

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// SignatureHeader carries a delivery's signature, in both directions:
//
//	X-Xyte-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// A header may hold several v1 values (one per secret during a rotation);
// one match is enough. Unknown keys are ignored.
const SignatureHeader = "X-Xyte-Signature"

// DefaultTolerance is how far a signature's time may be from the receiver's
// clock, either way.
const DefaultTolerance = 5 * time.Minute

// MinSecretLen is the shortest signing secret accepted.
const MinSecretLen = 16

// Signature failures.
var (
	ErrNoSignature    = errors.New("missing or malformed " + SignatureHeader + " header")
	ErrBadSignature   = errors.New("signature does not match the body")
	ErrStaleSignature = errors.New("signature time is outside the accepted window")
	ErrReplayed       = errors.New("this signed delivery was already received")
)

// Sign returns the SignatureHeader value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a SignatureHeader value against body: the HMAC first, in
// constant time, then that its time is within tolerance of now. It returns
// the signature time and the matching v1 value (the key to remember against
// replays).
func Verify(secret []byte, header string, body []byte, now time.Time,
	tolerance time.Duration) (time.Time, string, error) {
	ts, sigs, ok := parseSignature(header)
	if !ok {
		return time.Time{}, "", ErrNoSignature
	}
	want := mac(secret, ts, body)
	match := ""
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			match = strings.ToLower(s)
		}
	}
	if match == "" {
		return time.Time{}, "", ErrBadSignature
	}
	secs, _ := strconv.ParseInt(ts, 10, 64)
	at := time.Unix(secs, 0)
	if d := now.Sub(at); d > tolerance || d < -tolerance {
		return time.Time{}, "", ErrStaleSignature
	}
	return at, match, nil
}

// parseSignature splits "t=<digits>,v1=<hex>[,v1=<hex>...]".
func parseSignature(header string) (ts string, sigs []string, ok bool) {
	if len(header) > 1024 {
		return "", nil, false
	}
	for part := range strings.SplitSeq(header, ",") {
		k, v, found := strings.Cut(strings.TrimSpace(part), "=")
		switch {
		case !found:
			return "", nil, false
		case k == "t":
			ts = v
		case k == "v1" && len(sigs) < 8:
			sigs = append(sigs, v)
		}
	}
	if ts == "" || len(ts) > 12 || len(sigs) == 0 || strings.Trim(ts, "0123456789") != "" {
		return "", nil, false
	}
	return ts, sigs, true
}

// ReplayGuard remembers signatures already accepted.
type ReplayGuard interface {
	// Claim records key for ttl and reports whether it was new.
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release forgets key, after its delivery could not be stored, so that
	// the sender's retry is accepted.
	Release(ctx context.Context, key string) error
}

// DefaultReplayEntries bounds a MemoryReplayGuard.
const DefaultReplayEntries = 100_000

// errReplayFull: the memory guard holds its bound of unexpired signatures.
var errReplayFull = errors.New("replay guard is full")

// MemoryReplayGuard remembers signatures in this process, up to a bound.
// Only deliveries with a valid signature reach it, so its size follows the
// legitimate delivery rate.
type MemoryReplayGuard struct {
	max int
	now func() time.Time

	mu   sync.Mutex
	seen map[string]time.Time // key to expiry
}

// NewMemoryReplayGuard returns a guard holding at most maxEntries unexpired
// signatures (DefaultReplayEntries if <= 0); past that, Claim fails.
func NewMemoryReplayGuard(maxEntries int) *MemoryReplayGuard {
	if maxEntries <= 0 {
		maxEntries = DefaultReplayEntries
	}
	return &MemoryReplayGuard{max: maxEntries, now: time.Now, seen: make(map[string]time.Time)}
}

// Claim implements ReplayGuard.
func (g *MemoryReplayGuard) Claim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if exp, ok := g.seen[key]; ok && now.Before(exp) {
		return false, nil
	}
	if len(g.seen) >= g.max {
		for k, exp := range g.seen {
			if !now.Before(exp) {
				delete(g.seen, k)
			}
		}
		if len(g.seen) >= g.max {
			return false, errReplayFull
		}
	}
	g.seen[key] = now.Add(ttl)
	return true, nil
}

// Release implements ReplayGuard.
func (g *MemoryReplayGuard) Release(_ context.Context, key string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.seen, key)
	return nil
}

// ReplayKeyPrefix starts the Redis key of each remembered signature.
const ReplayKeyPrefix = "xyte-mcp:webhook-seen:"

// RedisReplayGuard remembers signatures in Redis, so that a delivery
// accepted by one replica is refused as a replay by every other.
type RedisReplayGuard struct {
	rdb *redis.Client
}

// NewRedisReplayGuard returns a guard over rdb.
func NewRedisReplayGuard(rdb *redis.Client) *RedisReplayGuard {
	return &RedisReplayGuard{rdb: rdb}
}

// Claim implements ReplayGuard with SET NX PX.
func (g *RedisReplayGuard) Claim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	return g.rdb.SetNX(ctx, ReplayKeyPrefix+key, "1", ttl).Result()
}

// Release implements ReplayGuard.
func (g *RedisReplayGuard) Release(ctx context.Context, key string) error {
	return g.rdb.Del(ctx, ReplayKeyPrefix+key).Err()
}
