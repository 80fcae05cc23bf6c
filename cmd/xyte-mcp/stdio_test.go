package main

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestIsJSONMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want bool
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"ping"}`, true},
		{`{"jsonrpc":"2.0","id":"a","method":"ping"}`, true},
		{`{"jsonrpc":"2.0","method":"notifications/initialized"}`, true},
		{`{"jsonrpc":"2.0","id":1,"result":{}}`, true},
		{`hello`, false},
		{`{}`, false},
		{`42`, false},
		{`[]`, false},
		{`{"jsonrpc":"1.0","id":1,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":null,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":1.5,"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":{},"method":"ping"}`, false},
		{`{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}`, false},
	}
	for _, tc := range tests {
		if got := isJSONMessage([]byte(tc.line)); got != tc.want {
			t.Errorf("isJSONMessage(%s) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestJSONLinesWaitsForAnswers: at the end of input the reader holds EOF
// back until every request read has been answered.
func TestJSONLinesWaitsForAnswers(t *testing.T) {
	t.Parallel()
	pending := newPendingCalls()
	in := &jsonLines{r: bufio.NewReader(strings.NewReader(
		"{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}\nnoise\n")),
		logger: slog.New(slog.DiscardHandler), pending: pending}
	out := &answerCounter{w: io.Discard, pending: pending}

	data, err := in.Read(make([]byte, 1024))
	if err != nil || data == 0 {
		t.Fatalf("first read = %d, %v", data, err)
	}
	eof := make(chan error, 1)
	go func() {
		_, err := in.Read(make([]byte, 1024))
		eof <- err
	}()
	select {
	case err := <-eof:
		t.Fatalf("EOF before the answer: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	_, _ = out.Write([]byte("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n"))
	select {
	case err := <-eof:
		if !errors.Is(err, io.EOF) {
			t.Fatalf("read after the answer = %v, want EOF", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no EOF after the answer")
	}
}
