// Package envnames finds the environment variables the server reads, by
// parsing the Go source of its configuration package, so that deployment
// files can be checked against the code instead of against a copied list.
//
// A string literal that looks like an environment name (XYTE_API_KEY,
// REDIS_URL) and is an argument of a call is a setting; within one call, the
// first such literal is the setting's name and the later ones its aliases.
// Literals outside calls (tables, constants) count as names.
package envnames

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var envName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)

// Set is what the configuration package reads.
type Set struct {
	// Names are the settings' primary names.
	Names map[string]bool
	// Aliases maps each alias to its primary name.
	Aliases map[string]string
}

// Known reports whether the server reads name, as a name or an alias.
func (s Set) Known(name string) bool {
	_, alias := s.Aliases[name]
	return s.Names[name] || alias
}

// Sorted returns the primary names in order.
func (s Set) Sorted() []string {
	out := make([]string, 0, len(s.Names))
	for n := range s.Names {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// FromDirs parses the non-test Go files of each directory.
func FromDirs(dirs ...string) (Set, error) {
	var files []string
	for _, dir := range dirs {
		matches, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			return Set{}, err
		}
		files = append(files, matches...)
	}
	set := Set{Names: map[string]bool{}, Aliases: map[string]string{}}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return Set{}, fmt.Errorf("parse %s: %w", path, err)
		}
		collect(f, set)
	}
	if len(set.Names) == 0 {
		return Set{}, fmt.Errorf("no environment variable names found in %s", strings.Join(dirs, ", "))
	}
	return set, nil
}

func collect(f *ast.File, set Set) {
	inCall := map[*ast.BasicLit]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		primary := ""
		for _, arg := range call.Args {
			lit, name := literal(arg)
			if name == "" {
				continue
			}
			inCall[lit] = true
			if primary == "" {
				primary = name
				set.Names[name] = true
			} else {
				set.Aliases[name] = primary
			}
		}
		return true
	})
	ast.Inspect(f, func(n ast.Node) bool {
		if lit, name := literal(n); name != "" && !inCall[lit] {
			set.Names[name] = true
		}
		return true
	})
	for alias := range set.Aliases {
		delete(set.Names, alias)
	}
}

// literal returns n and its value if n is a string literal naming a variable.
func literal(n ast.Node) (*ast.BasicLit, string) {
	lit, ok := n.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return nil, ""
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil || !envName.MatchString(s) {
		return nil, ""
	}
	return lit, s
}

// Pending reads a list of names, one per line ('#' starts a comment): the
// settings deployment files may set before the configuration reads them.
func Pending(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if line = strings.TrimSpace(line); line != "" {
			out[line] = true
		}
	}
	return out, sc.Err()
}
