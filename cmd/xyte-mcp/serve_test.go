package main

import (
	"flag"
	"io"
	"testing"
)

// TestDemoListensOnLoopback: serve --demo, whose key is published, listens
// on 127.0.0.1:8080 unless -listen or XYTE_LISTEN names an address; without
// --demo the flag, defaulting to the variable, decides.
func TestDemoListensOnLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		env  string // XYTE_LISTEN
		want string
	}{
		{[]string{"--demo"}, "", "127.0.0.1:8080"},
		{[]string{"--demo", "--listen", ":9000"}, "", ":9000"},
		{[]string{"--demo"}, "0.0.0.0:7000", "0.0.0.0:7000"},
		{nil, "", ":8080"},
		{nil, "127.0.0.1:7000", "127.0.0.1:7000"},
		{[]string{"--listen", "[::1]:9000"}, "127.0.0.1:7000", "[::1]:9000"},
	}
	for _, tc := range tests {
		vars := map[string]string{"XYTE_LISTEN": tc.env}
		cfg, err := loadConfig(testEnv(vars, io.Discard, io.Discard))
		if err != nil {
			t.Fatal(err)
		}
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		demo := fs.Bool("demo", false, "")
		listen := fs.String("listen", cfg.Listen, "")
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		getenv := func(k string) string { return vars[k] }
		if got := listenAddr(fs, *listen, *demo, getenv); got != tc.want {
			t.Errorf("serve %q with XYTE_LISTEN=%q listens on %q, want %q", tc.args, tc.env, got,
				tc.want)
		}
	}
}
