package fleet

import "errors"

// ErrNotFound marks a lookup that this package made and found nothing: a room,
// a device within a room, a preset or a task. Upstream 404s stay *xyte.Error.
var ErrNotFound = errors.New("not found")

// NotFoundError is a lookup that found nothing. Its text names the argument
// and says what was missing.
type NotFoundError struct {
	Name   string // argument, such as "room" or "preset"
	Reason string
}

// Error implements error.
func (e *NotFoundError) Error() string { return e.Name + ": " + e.Reason }

// Is makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Is(target error) bool { return target == ErrNotFound }

func notFound(name, reason string) error { return &NotFoundError{Name: name, Reason: reason} }
