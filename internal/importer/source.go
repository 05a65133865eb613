package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/retainhq/retain"
)

// record is one input row: where it starts, its fields by name, and its raw
// text for the rejects file. err is set when the row could not be read.
type record struct {
	line   int
	fields map[string]string
	lines  []map[string]string // JSON lines: an order's nested "lines"
	attrs  map[string]string   // JSON lines: a customer's nested "attributes"
	raw    string
	err    error
}

// source yields records until io.EOF.
type source interface {
	next() (record, error)
}

// maxLine bounds one physical line (and one record), so memory stays bounded
// whatever the file holds.
const maxLine = 1 << 20

// lineReader reads physical lines, counting them, without the line ending.
type lineReader struct {
	r    *bufio.Reader
	n    int
	read int64 // bytes consumed, for progress
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 1<<16)}
}

// next returns the next line; tooLong reports a line over maxLine (its
// content is dropped, the rest of the file still reads).
func (lr *lineReader) next() (line string, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.read += int64(len(chunk))
		if len(buf)+len(chunk) <= maxLine {
			buf = append(buf, chunk...)
		} else {
			tooLong = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (len(buf) > 0 || tooLong) && errors.Is(err, io.EOF) {
			err = nil
		}
		if err != nil {
			return "", false, err
		}
		lr.n++
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		if lr.n == 1 {
			buf = bytes.TrimPrefix(buf, []byte("\xef\xbb\xbf")) // UTF-8 byte order mark
		}
		return string(buf), tooLong, nil
	}
}

// csvSource reads RFC 4180 CSV with a header row. A quoted field may span
// lines; a record whose quotes never close within maxRecordLines lines is
// rejected alone and reading resumes on the line after its first.
type csvSource struct {
	lr      *lineReader
	header  []string
	pending []pendingLine // lines read ahead while looking for a closing quote
}

type pendingLine struct {
	n    int
	text string
	long bool
}

const maxRecordLines = 50

func newCSVSource(r io.Reader, rename map[string]string) (*csvSource, error) {
	s := &csvSource{lr: newLineReader(r)}
	head, err := readHeader(s.lr)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, h := range head {
		h = strings.TrimSpace(h)
		if to, ok := rename[h]; ok {
			h = to
		} else {
			h = normalizeName(h)
		}
		if h == "" {
			return nil, retain.Because("column_no_name", "line 1: column %d has no name", i+1)
		}
		if seen[h] {
			return nil, retain.Because("column_twice", "line 1: column %q appears twice", h)
		}
		seen[h] = true
		head[i] = h
	}
	s.header = head
	return s, nil
}

func (s *csvSource) readLine() (pendingLine, error) {
	if len(s.pending) > 0 {
		p := s.pending[0]
		s.pending = s.pending[1:]
		return p, nil
	}
	text, long, err := s.lr.next()
	return pendingLine{s.lr.n, text, long}, err
}

func (s *csvSource) next() (record, error) {
	for {
		first, err := s.readLine()
		if err != nil {
			return record{}, err
		}
		if first.long {
			return record{line: first.n, err: retain.Because("line_too_long", "line is longer than %d bytes", maxLine)}, nil
		}
		if strings.TrimSpace(first.text) == "" {
			continue // blank lines carry nothing
		}
		text, used := first.text, []pendingLine{first}
		for strings.Count(text, `"`)%2 == 1 && len(used) < maxRecordLines {
			more, err := s.readLine()
			if err != nil {
				break
			}
			used = append(used, more)
			text += "\n" + more.text
		}
		if strings.Count(text, `"`)%2 == 1 {
			// Unbalanced: reject the first line only and re-read the others.
			s.pending = append(used[1:], s.pending...)
			return record{line: first.n, raw: first.text, err: retain.Because("quote_unclosed", "a quoted field is never closed")}, nil
		}
		rec := record{line: first.n, raw: text}
		if !utf8.ValidString(text) {
			rec.err = retain.Because("row_not_utf8", "invalid UTF-8 (save the file as UTF-8)")
			rec.raw = strings.ToValidUTF8(text, "\uFFFD")
			return rec, nil
		}
		vals, err := splitCSV(text)
		if err != nil {
			rec.err = err
			return rec, nil
		}
		if len(vals) != len(s.header) {
			rec.err = retain.Because("field_count", "has %d fields, the header has %d", len(vals), len(s.header))
			return rec, nil
		}
		rec.fields = make(map[string]string, len(vals))
		for i, v := range vals {
			rec.fields[s.header[i]] = strings.TrimSpace(v)
		}
		return rec, nil
	}
}

// readHeader reads a CSV file's first line as its column names.
func readHeader(lr *lineReader) ([]string, error) {
	line, _, err := lr.next()
	if errors.Is(err, io.EOF) {
		return nil, retain.Because("empty_file", "the file is empty: a CSV import needs a header row")
	}
	if err != nil {
		return nil, err
	}
	if !utf8.ValidString(line) {
		return nil, retain.Because("header_not_utf8", "line 1: the header is not valid UTF-8 (save the file as UTF-8)")
	}
	head, err := splitCSV(line)
	if err != nil {
		return nil, retain.Because("header_unreadable", "line 1: header: %v", err)
	}
	return head, nil
}

// splitCSV splits one RFC 4180 record (possibly with embedded newlines).
func splitCSV(s string) ([]string, error) {
	var out []string
	var b strings.Builder
	for {
		b.Reset()
		if strings.HasPrefix(s, `"`) {
			s = s[1:]
			for {
				i := strings.IndexByte(s, '"')
				if i < 0 {
					return nil, retain.Because("quote_unclosed", "a quoted field is never closed")
				}
				b.WriteString(s[:i])
				s = s[i+1:]
				if strings.HasPrefix(s, `"`) {
					b.WriteByte('"')
					s = s[1:]
					continue
				}
				break
			}
			out = append(out, b.String())
			if s == "" {
				return out, nil
			}
			if s[0] != ',' {
				return nil, retain.Because("text_after_quote", "unexpected text after a closing quote in field %d", len(out))
			}
			s = s[1:]
			continue
		}
		i := strings.IndexByte(s, ',')
		field := s
		if i >= 0 {
			field = s[:i]
		}
		if strings.Contains(field, `"`) {
			return nil, retain.Because("quote_in_field", "a quote inside unquoted field %d (quote the field and double the quote)", len(out)+1)
		}
		out = append(out, field)
		if i < 0 {
			return out, nil
		}
		s = s[i+1:]
	}
}

// normalizeName turns a column title into a field name: "Customer ID" → "customer_id".
func normalizeName(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	return strings.NewReplacer(" ", "_", "-", "_", ".", "_").Replace(h)
}

// jsonlSource reads one JSON object per line. Scalar values become strings
// (numbers keep their exact text); an order's "lines" and a customer's
// "attributes" may be nested.
type jsonlSource struct {
	lr     *lineReader
	rename map[string]string
}

func (s *jsonlSource) next() (record, error) {
	for {
		text, long, err := s.lr.next()
		if err != nil {
			return record{}, err
		}
		rec := record{line: s.lr.n, raw: text}
		if long {
			rec.raw = ""
			rec.err = retain.Because("line_too_long", "line is longer than %d bytes", maxLine)
			return rec, nil
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if !utf8.ValidString(text) {
			rec.err = retain.Because("row_not_utf8", "invalid UTF-8 (save the file as UTF-8)")
			rec.raw = strings.ToValidUTF8(text, "\uFFFD")
			return rec, nil
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			rec.err = fmt.Errorf("not a JSON object: %v", err)
			return rec, nil
		}
		rec.fields, rec.err = flatten(obj, s.rename)
		if rec.err != nil {
			return rec, nil
		}
		if v, ok := obj["lines"]; ok {
			arr, ok := v.([]any)
			if !ok {
				rec.err = fmt.Errorf("lines: must be an array of objects")
				return rec, nil
			}
			for i, item := range arr {
				m, ok := item.(map[string]any)
				if !ok {
					rec.err = fmt.Errorf("lines[%d]: must be an object", i)
					return rec, nil
				}
				f, err := flatten(m, s.rename)
				if err != nil {
					rec.err = fmt.Errorf("lines[%d].%v", i, err)
					return rec, nil
				}
				rec.lines = append(rec.lines, f)
			}
		}
		if v, ok := obj["attributes"]; ok {
			m, ok := v.(map[string]any)
			if !ok {
				rec.err = fmt.Errorf("attributes: must be an object")
				return rec, nil
			}
			rec.attrs, rec.err = flatten(m, nil)
		}
		return rec, nil
	}
}

func flatten(obj map[string]any, rename map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		if to, ok := rename[k]; ok {
			k = to
		}
		switch x := v.(type) {
		case nil:
		case string:
			out[k] = strings.TrimSpace(x)
		case json.Number:
			out[k] = x.String()
		case bool:
			out[k] = fmt.Sprint(x)
		case []any, map[string]any:
			if k != "lines" && k != "attributes" {
				return nil, fmt.Errorf("%s: must be a string or a number", k)
			}
		}
	}
	return out, nil
}

// cdnowSource reads the CDNOW transaction files: whitespace-separated, with
// or without a header, 4 columns (customer date cds dollars) or 5 (master id,
// sample id, date, cds, dollars).
type cdnowSource struct{ lr *lineReader }

func (s *cdnowSource) next() (record, error) {
	for {
		text, long, err := s.lr.next()
		if err != nil {
			return record{}, err
		}
		rec := record{line: s.lr.n, raw: text}
		if long {
			rec.raw, rec.err = "", retain.Because("line_too_long", "line is longer than %d bytes", maxLine)
			return rec, nil
		}
		f := strings.Fields(text)
		if len(f) == 0 {
			continue
		}
		if s.lr.n == 1 && len(f) > 0 && !isDigits(f[0]) {
			continue // the master file's header
		}
		switch len(f) {
		case 4:
			rec.fields = map[string]string{"customer_id": f[0], "date": f[1], "cds": f[2], "dollars": f[3]}
		case 5:
			rec.fields = map[string]string{"customer_id": f[0], "sample_id": f[1], "date": f[2], "cds": f[3], "dollars": f[4]}
		default:
			rec.err = fmt.Errorf("has %d columns; CDNOW files have 4 (customer date cds dollars) or 5 (customer sample-id date cds dollars)", len(f))
		}
		return rec, nil
	}
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Peek reads a CSV file's header as written and up to n of its rows, the
// way an import reads them (quoted fields across lines, a byte order
// mark): what the upload page shows before anything is stored. A row that
// cannot be read shows as nil.
func Peek(r io.Reader, n int) (header []string, rows [][]string, err error) {
	lr := newLineReader(r)
	if header, err = readHeader(lr); err != nil {
		return nil, nil, err
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	s := &csvSource{lr: lr, header: header}
	for len(rows) < n {
		rec, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return header, rows, err
		}
		var row []string
		if rec.err == nil {
			for _, h := range header {
				row = append(row, rec.fields[h])
			}
		}
		rows = append(rows, row)
	}
	return header, rows, nil
}
