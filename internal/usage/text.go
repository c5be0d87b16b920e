package usage

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// ReadText streams an OpenMetrics or Prometheus text exposition with
// timestamps (a recording, as `promtool tsdb create-blocks-from openmetrics`
// reads it) into sink. name is the file's name for messages. Timestamps above
// 1e11 are milliseconds (the Prometheus text format), others seconds
// (OpenMetrics). Lines of other metrics are skipped; a malformed line of a
// metric it reads, or a sample without a timestamp, is an error naming the
// line.
func ReadText(name string, in io.Reader, opts Options, sink Sink) (*Summary, error) {
	r := newReader(name, opts, sink)
	p := textParser{r: r, names: map[string]Metric{
		r.labels.CPUMetric: CPU, r.labels.MemoryMetric: Memory, r.labels.OOMMetric: OOM}}
	br := bufio.NewReaderSize(in, 1<<20)
	line := 0
	for {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, fmt.Errorf("%s:%d: line longer than 1 MiB", name, line+1)
		}
		if len(b) > 0 {
			line++
			if perr := p.line(b); perr != nil {
				if errors.Is(perr, errEOF) {
					break
				}
				return nil, fmt.Errorf("%s:%d: %w", name, line, perr)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if line == 0 {
		return nil, fmt.Errorf("%s: empty", name)
	}
	return r.finish(), nil
}

var errEOF = errors.New("# EOF")

type textParser struct {
	r     *reader
	names map[string]Metric
	// last is the series of the previous sample line, by its text up to
	// the value: consecutive lines of one series skip the label parsing.
	lastID []byte
	last   *series
	skip   bool
}

func (p *textParser) line(b []byte) error {
	b = bytes.TrimRight(b, "\r\n")
	if len(b) == 0 {
		return nil
	}
	if b[0] == '#' {
		if bytes.Equal(b, []byte("# EOF")) {
			return errEOF
		}
		return nil
	}
	// The series id is everything up to the value; a line of the same
	// series as the previous one (the common case: series after series)
	// skips the scan of its labels.
	idEnd := -1
	if n := len(p.lastID); n > 0 && len(b) > n && b[n] == ' ' && bytes.Equal(b[:n], p.lastID) {
		idEnd = n
	} else {
		idEnd = seriesEnd(b)
	}
	if idEnd < 0 {
		return fmt.Errorf("malformed sample line %q", clip(b))
	}
	id := b[:idEnd]
	if !bytes.Equal(id, p.lastID) {
		p.lastID = append(p.lastID[:0], id...)
		s, skip, err := p.series(id)
		if err != nil {
			return err
		}
		p.last, p.skip = s, skip
	}
	if p.skip {
		return nil
	}
	v, ts, err := valueAndTime(b[idEnd:])
	if err != nil {
		return fmt.Errorf("%s: %w", clip(id), err)
	}
	p.last.add(p.r.sum, ts, v, p.r.since, p.r.until, p.r.sink)
	return nil
}

// series resolves a series id (metric name and labels); skip is true for
// metrics and series that are not read.
func (p *textParser) series(id []byte) (*series, bool, error) {
	name, lbl, _ := bytes.Cut(id, []byte("{"))
	name = bytes.TrimSpace(name)
	m, ok := p.names[string(name)]
	if !ok {
		return nil, true, nil
	}
	if s, found := p.r.series[string(id)]; found {
		return s, s == nil, nil
	}
	labels, err := parseLabels(lbl)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", clip(id), err)
	}
	if m == OOM && labels["reason"] != "OOMKilled" {
		p.r.series[string(id)] = nil
		return nil, true, nil
	}
	l := p.r.labels
	s := p.r.lookup(string(id), m, labels[l.Namespace], labels[l.Pod], labels[l.Container])
	return s, s == nil, nil
}

// seriesEnd returns the index of the space before the value, or -1.
func seriesEnd(b []byte) int {
	i := bytes.IndexAny(b, "{ ")
	if i < 0 {
		return -1
	}
	if b[i] == ' ' {
		return i
	}
	// Skip the quoted label values.
	inQuote := false
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case inQuote && c == '\\':
			j++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == '}':
			return j + 1
		}
	}
	return -1
}

// valueAndTime parses " value timestamp" (one or more spaces).
func valueAndTime(b []byte) (float64, int64, error) {
	b = bytes.TrimLeft(b, " ")
	vs, rest, _ := bytes.Cut(b, []byte(" "))
	rest = bytes.TrimLeft(rest, " ")
	// An OpenMetrics exemplar ("# {...}") may follow; it is ignored.
	ts, _, _ := bytes.Cut(rest, []byte(" "))
	if len(ts) == 0 {
		return 0, 0, errors.New("sample without a timestamp: a recording needs one per sample")
	}
	v, err := parseFloat(vs)
	if err != nil {
		return 0, 0, fmt.Errorf("value %q: not a number", vs)
	}
	t, err := parseFloat(ts)
	if err != nil || math.IsNaN(t) || math.IsInf(t, 0) {
		return 0, 0, fmt.Errorf("timestamp %q: not a number", ts)
	}
	if t < 1e11 {
		t *= 1000
	}
	return v, int64(math.Round(t)), nil
}

func parseFloat(b []byte) (float64, error) {
	if len(b) == 0 {
		return 0, errors.New("empty")
	}
	if v, ok := parseDecimal(b); ok {
		return v, nil
	}
	// ParseFloat keeps no reference to its argument: no copy is needed.
	return strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal parses the common form of recorded values and timestamps,
// [-]digits[.digits] with at most 15 digits, as mantissa / 10^k: both are
// exact in a float64, so the division is correctly rounded and the result
// equals strconv.ParseFloat's, at a fraction of its cost. ok is false for
// every other form (ParseFloat then decides).
func parseDecimal(b []byte) (v float64, ok bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	var mant uint64
	digits, frac := 0, -1
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
		case c == '.' && frac < 0 && i > 0:
			frac = len(b) - i - 1
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 || frac == 0 {
		return 0, false
	}
	v = float64(mant)
	if frac > 0 {
		v /= pow10[frac]
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseLabels parses `k="v",k2="v2"}` (after the opening brace).
func parseLabels(b []byte) (map[string]string, error) {
	out := map[string]string{}
	b = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	for len(b) > 0 {
		b = bytes.TrimLeft(b, " ,")
		if len(b) == 0 {
			break
		}
		eq := bytes.IndexByte(b, '=')
		if eq <= 0 || eq+1 >= len(b) || b[eq+1] != '"' {
			return nil, fmt.Errorf("malformed labels near %q", clip(b))
		}
		k := strings.TrimSpace(string(b[:eq]))
		var v strings.Builder
		j := eq + 2
		for ; j < len(b) && b[j] != '"'; j++ {
			if b[j] == '\\' && j+1 < len(b) {
				j++
				switch b[j] {
				case 'n':
					v.WriteByte('\n')
				default:
					v.WriteByte(b[j])
				}
				continue
			}
			v.WriteByte(b[j])
		}
		if j >= len(b) {
			return nil, fmt.Errorf("unterminated label value of %s", k)
		}
		out[k] = v.String()
		b = b[j+1:]
	}
	return out, nil
}

func clip(b []byte) string {
	if len(b) > 120 {
		return string(b[:120]) + "..."
	}
	return string(b)
}
