package limit

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// TestRead reads inputs around the limit from readers that say their size
// and from readers that do not, in pieces of every size.
func TestRead(t *testing.T) {
	const max = 3000
	for _, n := range []int{0, 1, 511, 512, 513, 1024, max - 1, max, max + 1, 2 * max} {
		data := bytes.Repeat([]byte("abcdefg\n"), n/8+1)[:n]
		readers := map[string]io.Reader{
			"bytes.Reader": bytes.NewReader(data),
			"one byte":     iotest.OneByteReader(bytes.NewReader(data)),
			"half":         iotest.HalfReader(strings.NewReader(string(data))),
			"no size":      io.MultiReader(bytes.NewReader(data)),
		}
		for name, r := range readers {
			got, err := Read(r, "in", max)
			if n > max {
				var le *Error
				if !errors.As(err, &le) || le.Limit != "input" || le.What != "in" {
					t.Errorf("%s, %d bytes: err = %v, want the input limit", name, n, err)
				}
				continue
			}
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s, %d bytes: read %d bytes, err %v", name, n, len(got), err)
			}
		}
	}
}

// TestReadFileAllocatesItsSize checks that a file is read into one buffer
// of its size (and the byte that sees its end), not grown to it.
func TestReadFileAllocatesItsSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.yaml")
	data := bytes.Repeat([]byte("a: 1\n"), 200000)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path, DefaultInput)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, err %v", len(got), err)
	}
	if cap(got) != len(data)+1 {
		t.Errorf("buffer of %d bytes for a file of %d", cap(got), len(data))
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Seek(100, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err = Read(f, "standard input", DefaultInput)
	if err != nil || !bytes.Equal(got, data[100:]) || cap(got) != len(data)-100+1 {
		t.Errorf("from an open file at 100: read %d bytes in %d, err %v", len(got), cap(got), err)
	}
	if _, err := ReadFile(path, int64(len(data)-1)); err == nil {
		t.Error("a file over the limit was read")
	}
}
