//go:build !race

package tasks

// raceEnabled reports a -race build, under which the pure-Go SQLite runs
// tens of times slower.
const raceEnabled = false
