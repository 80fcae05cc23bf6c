package tasks

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the queue's Prometheus collectors. Labels hold task states
// only: never a tenant, device or task id.
type metrics struct {
	submitted prometheus.Counter
	done      *prometheus.CounterVec
	running   prometheus.Gauge
	latency   prometheus.Histogram
	duration  *prometheus.HistogramVec
	store     *storeCollector
}

var taskBuckets = []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300}

func newMetrics(d db) *metrics {
	return &metrics{
		submitted: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "xyte_mcp_tasks_submitted_total",
			Help: "Tasks queued by this process.",
		}),
		done: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "xyte_mcp_tasks_finished_total",
			Help: "Tasks that reached a final state in this process, by state.",
		}, []string{"status"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "xyte_mcp_tasks_running",
			Help: "Tasks this process is sending now.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "xyte_mcp_task_queue_latency_seconds",
			Help:    "Time from a task's submission to a worker taking it.",
			Buckets: taskBuckets,
		}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "xyte_mcp_task_run_duration_seconds",
			Help:    "Time from a worker taking a task to its final state, by state.",
			Buckets: taskBuckets,
		}, []string{"status"}),
		store: &storeCollector{db: d, desc: prometheus.NewDesc("xyte_mcp_tasks",
			"Tasks in the store waiting or being sent, by state, across all processes.",
			[]string{"status"}, nil)},
	}
}

func (m *metrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.submitted, m.done, m.running, m.latency,
		m.duration, m.store} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// started records a worker taking a task that waited for wait.
func (m *metrics) started(wait time.Duration) {
	m.running.Inc()
	m.latency.Observe(max(wait, 0).Seconds())
}

// finished records a final state; took is zero when no run was timed.
func (m *metrics) finished(status string, took time.Duration) {
	m.done.WithLabelValues(status).Inc()
	if took > 0 {
		m.duration.WithLabelValues(status).Observe(took.Seconds())
	}
}

// storeCollector counts queued and running tasks in the store at scrape
// time, so that every replica reports the same, store-wide numbers.
type storeCollector struct {
	db   db
	desc *prometheus.Desc
}

// scrapeTimeout bounds the count query of one scrape.
const scrapeTimeout = 2 * time.Second

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector. A store that does not answer
// yields no sample rather than a wrong one.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	rs, err := c.db.query(ctx, sqlCount)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	defer rs.Close()
	counts := map[string]int64{StatusQueued: 0, StatusRunning: 0}
	for rs.Next() {
		var status string
		var n int64
		if err := rs.Scan(&status, &n); err != nil {
			ch <- prometheus.NewInvalidMetric(c.desc, err)
			return
		}
		counts[status] = n
	}
	if err := rs.Err(); err != nil {
		ch <- prometheus.NewInvalidMetric(c.desc, err)
		return
	}
	for status, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n), status)
	}
}
