package load

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// Library code never changes process-wide state: no loader swaps
// os.Stderr or os.Stdout, configures logrus's or the log package's global
// logger, sets environment variables or changes directory. (The command
// configures the libraries' logging once, at startup: cmd/rightsize.)
func TestLoadersLeaveProcessStateAlone(t *testing.T) {
	forbidden := map[string]bool{
		"os.Stderr": true, "os.Stdout": true, "os.Setenv": true, "os.Unsetenv": true, "os.Chdir": true,
		"log.SetOutput": true, "log.SetFlags": true,
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if strings.Contains(imp.Path.Value, "logrus") {
				t.Errorf("%s imports logrus: compose-go's warnings are findings, its logger is the command's", path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); ok && forbidden[x.Name+"."+sel.Sel.Name] {
				t.Errorf("%s uses %s.%s: process-wide state", path, x.Name, sel.Sel.Name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
