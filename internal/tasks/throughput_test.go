package tasks

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestQueueThousandTasks queues 1,000 tasks from 8 goroutines while 16
// workers send them, and checks that every one is done and sent once. It
// logs the enqueue and completion rates (go test -v -run ThousandTasks).
// Under the race detector it queues 250, to keep the run short.
func TestQueueThousandTasks(t *testing.T) {
	const submitters = 8
	total := 1000
	if raceEnabled {
		total = 250
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			up := newUpstream(t)
			opts := st.options(t)
			opts.Client, opts.Secret, opts.Workers = up.client, testSecret, 16
			q := openQueue(t, opts)
			devices := up.sim.DeviceIDs(keyA)

			start := time.Now()
			ids := make(chan string, total)
			var wg sync.WaitGroup
			for g := range submitters {
				wg.Go(func() {
					for i := g; i < total; i += submitters {
						task, err := q.SubmitCommand(context.Background(), tenantA,
							devices[i%len(devices)], reboot)
						if err != nil {
							t.Errorf("submit %d: %v", i, err)
							return
						}
						ids <- task.ID
					}
				})
			}
			wg.Wait()
			enqueued := time.Since(start)
			close(ids)

			// Generous: CI runs every package's tests at once on two cores.
			waitUntil(t, "all tasks done", 2*time.Minute, func() bool {
				return countStatus(t, q, StatusDone) == total
			})
			completed := time.Since(start)
			t.Logf("%s: enqueued %d tasks in %v (%.0f tasks/s); all done after %v (%.0f tasks/s)",
				st.name, total, enqueued.Round(time.Millisecond), float64(total)/enqueued.Seconds(),
				completed.Round(time.Millisecond), float64(total)/completed.Seconds())

			seen := map[string]bool{}
			for id := range ids {
				seen[id] = true
			}
			if len(seen) != total {
				t.Errorf("%d distinct task ids, want %d", len(seen), total)
			}
			if n := up.sends(); n != total {
				t.Errorf("simulator got %d sends, want %d", n, total)
			}
			if n := sealedKeys(t, q); n != 0 {
				t.Errorf("%d sealed keys left", n)
			}
		})
	}
}
