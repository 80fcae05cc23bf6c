// Package xytesim simulates the Xyte Organization and Partner APIs: a seeded,
// in-memory fleet behind the hub's routes, authentication, envelopes, status
// codes and error bodies, plus fault injection and a request log for tests.
//
// Demo mode and every test of the product use it as the upstream. One Server
// holds several organizations, each selected by its own API key and each with
// its own data, so tests can prove that one tenant never sees another's.
//
// The behaviour follows the project's Xyte API reference. Where the reference
// leaves a choice open (marked [?] there), the choice made here is noted next
// to the code that makes it, and kept in one place so it can be flipped.
//
// Handlers never start goroutines: a sent command's progress is computed from
// timestamps and the configured clock whenever it is read.
package xytesim
