// Package rewrite applies a plan (package solve) to a deep copy of an app and
// lists every change as {object, field, before, after, reason}.
//
// It never mutates its input objects and never decides what to change: that
// and why come from the plan. The one judgement it makes is whether a group
// of Deployments can be merged into one pod without breaking the app (ports,
// pod-level fields, Services, init containers): Merger builds the merged
// Deployment and returns a *Conflict when it cannot; which groups to try is
// solve's choice.
package rewrite
