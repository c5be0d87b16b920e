// Package render writes what fit and convert produce: manifests (one
// multi-document YAML or JSON stream, or one file per object under a
// directory) and reports (text or JSON).
//
// Output is deterministic: the same objects give the same bytes. Directory
// output is atomic (written next to the target, then renamed into place) and
// never lands in, or replaces, an input. render never prints to the terminal;
// it writes to the io.Writer or path it is given.
package render
