// Command k8sval decodes Kubernetes manifests (such as `helm template`
// output) from stdin or the named files strictly into k8s.io/api types and
// reports every document that an API server would reject for its shape:
// unknown fields, duplicate keys, wrong types, unknown kinds.
//
// Exit status: 0 all documents decode, 1 some do not, 2 unreadable input.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/xyte-mcp/xyte-mcp/tools/internal/kube"
)

func main() {
	inputs := os.Args[1:]
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	bad := false
	for _, name := range inputs {
		r, closeFn, err := open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, "k8sval:", err)
			os.Exit(2)
		}
		objs, err := kube.Decode(r)
		closeFn()
		fmt.Printf("%s: %d objects decoded strictly\n", name, len(objs))
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: invalid:\n%v\n", name, err)
			bad = true
		}
	}
	if bad {
		os.Exit(1)
	}
}

func open(name string) (io.Reader, func(), error) {
	if name == "-" {
		return os.Stdin, func() {}, nil
	}
	f, err := os.Open(name) // #nosec G304 G703 -- reading the files named on the command line is this tool's job
	if err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}
