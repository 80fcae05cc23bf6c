package tasks

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// MinSecretLength is the shortest XYTE_TASK_SECRET accepted, in bytes.
const MinSecretLength = 32

// ErrNoSecret is returned when a key must be sealed but no task secret is
// configured.
var ErrNoSecret = errors.New("no task secret: set XYTE_TASK_SECRET to queue tasks for " +
	"callers' own keys")

// sealVersion is the first byte of every sealed key. A new derivation or
// cipher gets a new version, so old rows can still be told apart.
const sealVersion byte = 1

// sealInfo binds the derived key to this one use of the secret.
const sealInfo = "xyte-mcp task key sealing v1"

// sealer encrypts tenants' API keys for the time their task waits in the
// store: AES-256-GCM under a key derived with HKDF-SHA256 from the task
// secret. The task id and tenant id are the additional data, so a sealed key
// copied into another row does not open.
type sealer struct {
	aead cipher.AEAD
}

// newSealer derives the sealing key from secret.
func newSealer(secret string) (*sealer, error) {
	if len(secret) < MinSecretLength {
		return nil, fmt.Errorf("task secret: must be at least %d bytes", MinSecretLength)
	}
	// None of these can fail: HKDF-SHA256 gives up to 8160 bytes, AES takes
	// a 32-byte key (AES-256), and GCM takes AES's 16-byte blocks.
	key, _ := hkdf.Key(sha256.New, []byte(secret), nil, sealInfo, 32)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	return &sealer{aead: aead}, nil
}

// seal returns version, nonce and ciphertext of key, bound to the task.
func (s *sealer) seal(taskID, tenantID, key string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce) // never fails: crypto/rand crashes the program instead
	out := make([]byte, 0, 1+len(nonce)+len(key)+s.aead.Overhead())
	out = append(append(out, sealVersion), nonce...)
	return s.aead.Seal(out, nonce, []byte(key), sealData(taskID, tenantID))
}

// errSealed is the only error open returns: it says nothing of the input.
var errSealed = errors.New("sealed key does not open with this task secret")

// open returns the key sealed for the task.
func (s *sealer) open(taskID, tenantID string, sealed []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return "", errSealed
	}
	key, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], sealData(taskID, tenantID))
	if err != nil {
		return "", errSealed
	}
	return string(key), nil
}

func sealData(taskID, tenantID string) []byte {
	return []byte(taskID + "\x00" + tenantID)
}
