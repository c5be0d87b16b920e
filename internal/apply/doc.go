// Package apply puts an application into a live namespace all or nothing.
// Kubernetes has no transaction across objects, so apply builds one: a
// server-side dry run of every object (and of one pod of every new
// workload) first; the prior state of every object remembered; server-side
// apply in dependency order; a wait until every pod is admitted, scheduled
// and Ready (Jobs complete); and, on any refusal, timeout, cancellation or
// lost connection, a restore of every object to its prior state (objects it
// created deleted with what their controllers made, objects it changed put
// back), retried until the server answers again.
//
// Ownership is recorded on the objects themselves (the label
// rightsize.io/app on objects an apply created, the annotation
// rightsize.io/applied with a hash of what was applied), never with an
// inventory object that would count against a tight quota. Delete removes
// what an apply created.
//
// It writes only through the handle it is given, never prints, and never
// reads flags.
package apply
