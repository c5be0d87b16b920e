// Package report owns the one shape in which every command reports on an
// app and a target (analyze, fit, verify, convert, and later recommend),
// and the writers that render it: text, JSON and YAML. More formats (HTML)
// live in sub-packages that implement Writer.
//
// The JSON form is documented once, in docs/report.md, and described by the
// JSON Schema docs/report.schema.json, which the tests validate every
// command's output against. Field names are the same in every command; a
// command leaves out what it does not measure.
//
// The package holds data and rendering only: it computes nothing about
// admission (footprint does) and never talks to a cluster.
package report
