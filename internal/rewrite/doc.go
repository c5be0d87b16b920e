// Package rewrite applies a plan (package solve) to a deep copy of an app and
// lists every change as {object, field, before, after, reason}.
//
// It never mutates its input objects and never decides anything: what to
// change and why comes from the plan.
package rewrite
