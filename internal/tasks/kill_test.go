package tasks

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/xyte-mcp/xyte-mcp/internal/xyte"
)

// Environment of the worker process that TestQueueWorkerKilled starts.
const (
	childEnv       = "XYTE_TASKS_TEST_CHILD"
	childSimEnv    = "XYTE_TASKS_TEST_SIM"
	childDBEnv     = "XYTE_TASKS_TEST_DB"
	childSchemaEnv = "XYTE_TASKS_TEST_SCHEMA"
	childDirEnv    = "XYTE_TASKS_TEST_DIR"
)

// TestQueueWorkerKilled kills a worker process (SIGKILL) while its send
// hangs upstream, so that both the task and its River job stay running. A new
// worker must rescue the job, end the task unknown and never send again.
func TestQueueWorkerKilled(t *testing.T) {
	t.Parallel()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			testWorkerKilled(t, st)
		})
	}
}

func testWorkerKilled(t *testing.T, st store) {
	up := newUpstream(t)
	if err := up.sim.SetFaults(hangSend); err != nil {
		t.Fatal(err)
	}
	opts := st.options(t)
	opts.Secret = testSecret
	submitter := openQueue(t, opts)
	task, err := submitter.SubmitCommand(context.Background(), tenantA, up.device, reboot)
	if err != nil {
		t.Fatal(err)
	}
	stopQueue(t, submitter)

	child := startWorkerProcess(t, up, opts)
	waitFor(t, "the worker process's send", func() bool { return up.sends() == 1 })
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = child.Wait()
	up.sim.ClearFaults()
	// River's rescuer looks at once when the new worker starts, then every
	// 30s: let the job look stuck by then.
	time.Sleep(1200 * time.Millisecond)

	opts.Client, opts.Workers, opts.testOnly = up.client, 1, true
	opts.JobTimeout, opts.rescueAfter = 500*time.Millisecond, time.Second
	q := openQueue(t, opts)
	if got, err := q.Get(context.Background(), tenantA, task.ID); err != nil ||
		got.Status != StatusRunning {
		t.Fatalf("after the kill: %+v (%v), want running", got, err)
	}
	got := waitFinal(t, q, tenantA, task.ID)
	if got.Status != StatusUnknown || got.Code != CodeInterrupted {
		t.Errorf("task = %+v, want unknown/%s", got, CodeInterrupted)
	}
	assertOneSendNoKeys(t, up, q, opts)
}

// startWorkerProcess runs TestWorkerProcess in a child process on the same
// store and upstream. It never leads River's maintenance, so that the
// survivor can take over at once.
func startWorkerProcess(t *testing.T, up *upstream, opts Options) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWorkerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", childSimEnv+"="+up.baseURL,
		childDBEnv+"="+opts.DatabaseURL, childSchemaEnv+"="+opts.Schema,
		childDirEnv+"="+opts.DataDir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return cmd
}

// TestWorkerProcess is the worker process of TestQueueWorkerKilled; it does
// nothing in a normal run. It works tasks until killed, or for 30 seconds.
func TestWorkerProcess(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("the worker process of TestQueueWorkerKilled")
	}
	client, err := xyte.New(xyte.Options{BaseURL: os.Getenv(childSimEnv), Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	q, err := Open(context.Background(), Options{
		DatabaseURL: os.Getenv(childDBEnv), Schema: os.Getenv(childSchemaEnv),
		DataDir: os.Getenv(childDirEnv), Secret: testSecret, Client: client, Workers: 1,
		notLeader: true, testOnly: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * time.Second)
}
