// Package tasks sends device commands on a tenant's behalf as tasks that can
// be looked up later: synchronously (Sync, when asynchronous tasks are off)
// or through a durable queue worked by River (Queue).
//
// The queue keeps its tasks in PostgreSQL when given a postgres:// URL (for
// several replicas and separate worker processes) and otherwise in an
// embedded SQLite file (one process, no extra infrastructure). River's
// tables and the task table live in the same database, and a task row is
// inserted in the same transaction as its job.
//
// Three rules hold on every path:
//
//   - At most once. A worker commits the task as running before it sends,
//     and a run that finds its task already running never sends. A send
//     whose outcome is not known ends the task as unknown, not error, and
//     River never retries a send.
//   - Tenants are apart. Every read and write of a task is filtered by the
//     owner's tenant id, so another tenant's task id answers ErrNotFound,
//     exactly like an id that does not exist.
//   - Keys stay secret. A task of the server's own key (single-tenant mode)
//     stores no key. Another tenant's key is sealed with AES-GCM under a key
//     derived from the task secret, bound to the task, and deleted when the
//     task ends. No key reaches a log line, an error, a result or a metric.
//
// Progress: MCP's progress notifications belong to the request that carries
// a progress token. A tool that submits a task can report "queued" and
// "running" through that token while it waits a short while for the task to
// end; once the tool returns, the token is spent, and the caller polls with
// the task's id instead.
package tasks
