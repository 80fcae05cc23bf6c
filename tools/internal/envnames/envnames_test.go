package envnames

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFromDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := `package config

func Load(getenv func(string) string) {
	r.setString(&c.BaseURL, "XYTE_BASE_URL", "XYTE_HUB_URL")
	r.setBool(&c.ReadOnly, "XYTE_READ_ONLY")
	_ = errors.New("XYTE_LISTEN: must be host:port")
}

var table = []string{"REDIS_URL"}
`
	if err := os.WriteFile(filepath.Join(dir, "config.go"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := FromDirs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"XYTE_BASE_URL", "XYTE_READ_ONLY", "REDIS_URL"} {
		if !set.Names[name] {
			t.Errorf("%s: not found as a name; names %v", name, set.Sorted())
		}
	}
	if set.Aliases["XYTE_HUB_URL"] != "XYTE_BASE_URL" {
		t.Errorf("XYTE_HUB_URL: alias of %q, want XYTE_BASE_URL", set.Aliases["XYTE_HUB_URL"])
	}
	if set.Known("XYTE_LISTEN") {
		t.Error("XYTE_LISTEN: an error message is not a setting")
	}
}
