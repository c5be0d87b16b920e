// Package schematest validates reports against docs/report.schema.json, for
// the tests of every package that writes one.
package schematest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	once   sync.Once
	schema *jsonschema.Schema
	err    error
)

// Path returns the schema's path, found from the working directory up to
// the module root.
func Path() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "docs", "report.schema.json"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

func load() (*jsonschema.Schema, error) {
	once.Do(func() {
		var path string
		if path, err = Path(); err != nil {
			return
		}
		var f *os.File
		if f, err = os.Open(path); err != nil {
			return
		}
		defer f.Close()
		var doc any
		if doc, err = jsonschema.UnmarshalJSON(f); err != nil {
			err = fmt.Errorf("%s: %w", path, err)
			return
		}
		c := jsonschema.NewCompiler()
		if err = c.AddResource("report.schema.json", doc); err != nil {
			return
		}
		schema, err = c.Compile("report.schema.json")
	})
	return schema, err
}

// Validate checks one JSON report against the schema.
func Validate(data []byte) error {
	s, err := load()
	if err != nil {
		return fmt.Errorf("loading the schema: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(v)
}
