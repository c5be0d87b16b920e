package kube

import (
	"bytes"
	"errors"
	"io"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
)

// Documents are parsed in runs of chunkDocs, each run by one YAML decoder
// reading them as one stream: setting up a parser per document (yaml.v2's
// Unmarshal) costs about as much as parsing a small manifest, mostly in
// buffers that a stream's parser allocates once and keeps.
const chunkDocs = 64

// parseChunk parses docs, documents of a YAML stream in a row as
// splitYAML returns them, into out (as long as docs), each exactly as parse
// would. It reads them as one stream when that cannot change what any of
// them holds, and says whether it did; else, or when the stream does not
// give one document for each without error (error messages and their line
// numbers are each document's own), it parses them one by one.
func parseChunk(docs [][]byte, out []parsed) (streamed bool) {
	if len(docs) > 1 && streamable(docs) && parseStream(docs, out) {
		return true
	}
	for i, doc := range docs {
		out[i] = parse(doc)
	}
	return false
}

// parseStream parses docs as one stream into out; false when the stream
// does not hold exactly len(docs) documents that all decode.
func parseStream(docs [][]byte, out []parsed) bool {
	dec := yamlv2.NewDecoder(&streamReader{docs: docs})
	for i := range docs {
		var y any
		if err := dec.Decode(&y); err != nil {
			return false
		}
		out[i] = fromTree(y)
	}
	var y any
	return errors.Is(dec.Decode(&y), io.EOF)
}

// streamable says whether docs, joined into one stream with a "---" line
// before each that does not start with one, parse to the same documents as
// each on its own. Each must end its last line, and hold nothing that could
// end a document or start another where it did not on its own, or that
// YAML reads only at the start of a stream: a line starting "---" after its
// first, "..." or "%" (a directive), a byte order mark, invalid UTF-8
// (another encoding), or a line break other than "\n" (YAML 1.1 also breaks
// lines at "\r", NEL, LS and PS, which splitYAML does not).
func streamable(docs [][]byte) bool {
	for _, doc := range docs {
		if len(doc) == 0 || doc[len(doc)-1] != '\n' || bytes.IndexByte(doc, '\r') >= 0 {
			return false
		}
		if !ascii(doc) && (!utf8.Valid(doc) || bytes.ContainsAny(doc, "\ufeff\u0085\u2028\u2029")) {
			return false
		}
		for at := 0; at < len(doc); {
			line := doc[at:]
			if bytes.HasPrefix(line, []byte("...")) || line[0] == '%' || (at > 0 && bytes.HasPrefix(line, []byte("---"))) {
				return false
			}
			i := bytes.IndexByte(line, '\n')
			at += i + 1 // every document ends in "\n"
		}
	}
	return true
}

func ascii(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// streamReader reads documents as one YAML stream, with a "---" line
// before each that does not start with one.
type streamReader struct {
	docs [][]byte
	cur  []byte // what is left of the document being read
	sep  []byte // what is left of the separator before it
}

var separator = []byte("---\n")

func (r *streamReader) Read(p []byte) (int, error) {
	for len(r.sep) == 0 && len(r.cur) == 0 {
		if len(r.docs) == 0 {
			return 0, io.EOF
		}
		r.cur, r.docs = r.docs[0], r.docs[1:]
		if !bytes.HasPrefix(r.cur, []byte("---")) {
			r.sep = separator
		}
	}
	if len(r.sep) > 0 {
		n := copy(p, r.sep)
		r.sep = r.sep[n:]
		return n, nil
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}
