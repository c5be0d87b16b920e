// Command floor does the least any tool must do with an input, so that
// benchmarks can state rightsize's cost as a ratio against it:
//
//	go run ./bench/floor -yaml app.yaml        # decode every document into generic maps
//	go run ./bench/floor -compose compose.yaml # load the file with compose-go alone
//
// It prints the number of documents or services read, so that the work
// cannot be optimised away and a wrong input is noticed.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	yaml "go.yaml.in/yaml/v3"
)

func main() {
	yamlFile := flag.String("yaml", "", "multi-document YAML file to decode into generic maps")
	composeFile := flag.String("compose", "", "Compose file to load with compose-go")
	flag.Parse()
	var n int
	var err error
	switch {
	case *yamlFile != "":
		n, err = decodeYAML(*yamlFile)
	case *composeFile != "":
		n, err = loadCompose(*composeFile)
	default:
		err = errors.New("one of -yaml or -compose is required")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Println(n)
}

func decodeYAML(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	d := yaml.NewDecoder(f)
	n := 0
	for {
		var m map[string]any
		err := d.Decode(&m)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: document %d: %w", path, n+1, err)
		}
		if m != nil {
			n++
		}
	}
}

func loadCompose(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return 0, err
	}
	details := types.ConfigDetails{
		WorkingDir:  abs,
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: bytes.Clone(data)}},
		Environment: types.Mapping{},
	}
	p, err := loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("bench", true)
		o.ResolvePaths = false
	})
	if err != nil {
		return 0, err
	}
	return len(p.Services), nil
}
