// Package fit runs the fit pipeline: footprint, plan (package solve),
// rewrite, name check, footprint again. The CLI's fit command and verify both
// call Run; it prints nothing and writes no files.
package fit
