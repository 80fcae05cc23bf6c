package xyte

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// lazyDeadline is the caller's context with the client's deadline, as
// context.WithDeadline makes it, except that the timer behind it starts only
// when something first asks whether the context is done. A read that the
// cache answers never asks, so it costs no timer; a miss asks (the cache
// checks Err before it loads), and so do the fill and a wait on another
// call's fill, which thus all end at the client's deadline.
type lazyDeadline struct {
	parent   context.Context
	deadline time.Time

	once    sync.Once
	started atomic.Bool // set once ctx and cancel are, for Value
	ctx     context.Context
	cancel  context.CancelFunc
}

// newLazyDeadline returns parent with a deadline d from now, or parent's
// own if that is sooner. Call stop to release it.
func newLazyDeadline(parent context.Context, d time.Duration) *lazyDeadline {
	deadline := time.Now().Add(d)
	if dl, ok := parent.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	return &lazyDeadline{parent: parent, deadline: deadline}
}

// start makes the real context on first use and returns it; it returns nil
// if stop came first.
func (l *lazyDeadline) start() context.Context {
	l.once.Do(func() {
		l.ctx, l.cancel = context.WithDeadline(l.parent, l.deadline)
		l.started.Store(true)
	})
	return l.ctx
}

// stop releases the timer, if one started, as the cancel function of
// context.WithDeadline does. A context not started by then never starts,
// and reads as cancelled from then on, as a cancelled one would.
func (l *lazyDeadline) stop() {
	l.once.Do(func() {})
	if l.ctx != nil {
		l.cancel()
	}
}

// Deadline implements context.Context.
func (l *lazyDeadline) Deadline() (time.Time, bool) { return l.deadline, true }

// Done implements context.Context.
func (l *lazyDeadline) Done() <-chan struct{} {
	if ctx := l.start(); ctx != nil {
		return ctx.Done()
	}
	return stoppedDone
}

// Err implements context.Context.
func (l *lazyDeadline) Err() error {
	if ctx := l.start(); ctx != nil {
		return ctx.Err()
	}
	return context.Canceled
}

// Value implements context.Context. Once started, the real context answers,
// so that contexts made from this one (by net/http, say) find its
// cancellation and follow it directly, without a goroutine each.
func (l *lazyDeadline) Value(key any) any {
	if l.started.Load() {
		return l.ctx.Value(key)
	}
	return l.parent.Value(key)
}

// stoppedDone is the Done channel of a lazyDeadline stopped before it
// started: closed.
var stoppedDone = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()
