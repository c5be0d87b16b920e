package compose

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v4"
)

// source is a Compose file's contents with its first YAML document parsed
// once, for the checks that precede compose-go's load (the legacy rewrite,
// the port and reference checks), each of which used to parse the whole
// file again.
type source struct {
	data []byte
	node yaml.Node // the first document; zero when there is none
	err  error     // why the first document does not parse
	// tree is the first document decoded as compose-go decodes it, when
	// the legacy rewrite has left data as it was; nil otherwise.
	tree map[string]any
}

func newSource(data []byte) *source {
	s := &source{data: data}
	s.err = yaml.Unmarshal(data, &s.node)
	return s
}

// decode is yaml.Unmarshal(s.data, v) without parsing again: the first
// document's node decoded into v, which the same decoder options give.
func (s *source) decode(v any) error {
	if s.err != nil {
		return s.err
	}
	if s.node.Kind == 0 {
		return nil // no document: v is left as it was
	}
	return s.node.Decode(v)
}

// singleDocument tells whether data holds at most one YAML document: no
// line but the first starts a document ("---") and none ends one ("...").
// A marker inside a block scalar would end it, so a line that looks like
// one is one; the answer errs only towards false.
func singleDocument(data []byte) bool {
	for i := 0; i < len(data); {
		line := data[i:]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j+1]
		}
		if (i > 0 && marker(line, "---")) || marker(line, "...") {
			return false
		}
		i += len(line)
	}
	return true
}

// marker tells whether line starts with the document marker m.
func marker(line []byte, m string) bool {
	return bytes.HasPrefix(line, []byte(m)) && (len(line) == len(m) || strings.ContainsRune(" \t\r\n", rune(line[len(m)])))
}
