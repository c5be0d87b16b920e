// Package html writes a report as one self-contained HTML page: inline CSS
// and SVG bars, no script, no external resource, so that it opens offline
// and reads the same on a phone. The same report gives the same bytes.
// It is one more format of the shared report writers (report.Writer); it
// never prints.
package html
