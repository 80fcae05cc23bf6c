package tasks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/tenant"
	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Task states. A task starts queued, becomes running once a worker has
// committed to send its command, and ends in one of the four final states.
const (
	// StatusQueued: waiting for a worker; Cancel can still stop it.
	StatusQueued = "queued"
	// StatusRunning: a worker is sending the command.
	StatusRunning = "running"
	// StatusDone: the hub accepted the command; Result holds it.
	StatusDone = "done"
	// StatusError: the command was refused or never left; it was not carried
	// out, so submitting it again is safe.
	StatusError = "error"
	// StatusCancelled: stopped by Cancel while queued; nothing was sent. The
	// value keeps the spelling of the earlier server's task states.
	StatusCancelled = "cancelled"
	// StatusUnknown: the command may or may not have reached the hub (the
	// answer was lost, or a worker stopped mid-send). Check the device's
	// commands before sending it again.
	StatusUnknown = "unknown"
)

// Task is the state of one command sent on a tenant's behalf.
type Task struct {
	// ID is 128 random bits in hex: it cannot be guessed.
	ID string `json:"task_id"`
	// Tenant is the owner's tenant id (a hash of its key, never the key).
	Tenant string `json:"tenant"`
	// DeviceID is the device the command is for.
	DeviceID string `json:"device_id"`
	// Command is the command as submitted.
	Command xyte.SendCommandRequest `json:"command"`
	// Status is one of the Status constants.
	Status string `json:"status"`
	// Result is the command as the hub recorded it, once done.
	Result json.RawMessage `json:"result,omitempty"`
	// Error says why the task ended in error or unknown. It never holds a key.
	Error string `json:"error,omitempty"`
	// Code classifies Error (an xyte.Code such as "unauthorized", or
	// "interrupted" for a worker that stopped mid-send).
	Code string `json:"code,omitempty"`
	// CreatedAt is when the task was submitted.
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the task last changed.
	UpdatedAt time.Time `json:"updated_at"`
	// StartedAt is when a worker took the task; zero before.
	StartedAt time.Time `json:"started_at,omitzero"`
	// FinishedAt is when the task reached a final state; zero before.
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Final reports whether the task will not change any more.
func (t Task) Final() bool {
	return t.Status != StatusQueued && t.Status != StatusRunning
}

// Service sends device commands on a tenant's behalf and answers for their
// state. Every task belongs to the tenant that submitted it: an id of another
// tenant's task answers exactly like an id that does not exist.
//
// Sync sends at once; Queue stores the task and lets a worker send it.
type Service interface {
	// SubmitCommand checks the command and sends or queues it. It returns an
	// error only when no task was created (an invalid argument, a store
	// failure); a send that fails is a task that ended in error or unknown.
	SubmitCommand(ctx context.Context, t tenant.Tenant, deviceID string,
		cmd xyte.SendCommandRequest) (Task, error)
	// Get returns one of the tenant's tasks, or ErrNotFound.
	Get(ctx context.Context, t tenant.Tenant, id string) (Task, error)
	// List returns the tenant's most recent tasks, newest first. A limit of 0
	// or less means DefaultListLimit; it is capped at MaxListLimit.
	List(ctx context.Context, t tenant.Tenant, limit int) ([]Task, error)
	// Cancel cancels a queued task and returns it. A task past queued is
	// ErrNotCancellable; an id unknown to the tenant is ErrNotFound.
	Cancel(ctx context.Context, t tenant.Tenant, id string) (Task, error)
}

// Both implementations are Services.
var (
	_ Service = (*Sync)(nil)
	_ Service = (*Queue)(nil)
)

// List bounds.
const (
	DefaultListLimit = 50
	MaxListLimit     = 200
)

// Errors callers test for.
var (
	// ErrNotFound: no task with this id belongs to the tenant.
	ErrNotFound = errors.New("task not found")
	// ErrNotCancellable: the task has left the queue.
	ErrNotCancellable = errors.New("task is no longer queued and cannot be canceled")
	// ErrNoTenant: the call carries no tenant key.
	ErrNoTenant = errors.New("no tenant key")
)

// Codes of task errors that did not come from the upstream client.
const (
	// CodeInterrupted: the worker stopped after it committed to send.
	CodeInterrupted = "interrupted"
	// CodeNoKey: the worker has no key for the task's tenant.
	CodeNoKey = "no_key"
)

// idBytes is the size of a task id: 128 random bits.
const idBytes = 16

// newID returns a fresh task id.
func newID() string {
	var b [idBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// wellFormedID reports whether id could have come from newID, so that lookups
// of anything else answer ErrNotFound without touching the store.
func wellFormedID(id string) bool {
	_, err := hex.DecodeString(id)
	return err == nil && len(id) == 2*idBytes && strings.ToLower(id) == id
}

// checkSubmit refuses what the hub could not run, before anything is stored
// or sent.
func checkSubmit(t tenant.Tenant, deviceID string, cmd xyte.SendCommandRequest) error {
	if t.IsZero() {
		return ErrNoTenant
	}
	if err := xyte.ValidateID("device_id", deviceID); err != nil {
		return err
	}
	if strings.TrimSpace(cmd.Name) == "" && strings.TrimSpace(cmd.FriendlyName) == "" {
		return &xyte.ArgumentError{Name: "name", Reason: "is required (or friendly_name)"}
	}
	return nil
}

// listLimit applies the List bounds.
func listLimit(limit int) int {
	if limit <= 0 {
		return DefaultListLimit
	}
	return min(limit, MaxListLimit)
}

// outcome is how a send ended, as stored in a task.
type outcome struct {
	status string
	result json.RawMessage
	err    string
	code   string
}

// sendOutcome maps the result of one send to the task's final state. Only an
// answer that proves the command was not carried out is an error; anything
// that may have reached the hub without a clear answer is unknown.
func sendOutcome(cmd *xyte.Command, err error) outcome {
	if err == nil {
		result, merr := json.Marshal(cmd)
		if merr != nil {
			return outcome{status: StatusDone, code: string(xyte.CodeUpstream),
				err: "the hub accepted the command; its answer could not be encoded"}
		}
		return outcome{status: StatusDone, result: result}
	}
	code := string(xyte.CodeOf(err))
	var xe *xyte.Error
	if errors.As(err, &xe) && (xe.OutcomeUnknown || xe.Sent && xe.StatusCode == 0) {
		return outcome{status: StatusUnknown, err: err.Error(), code: code}
	}
	return outcome{status: StatusError, err: err.Error(), code: code}
}
