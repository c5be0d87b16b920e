// Package diff writes the unified diff of an app's objects before and after
// a rewrite, object by object, as `kubectl diff` shows it: one file per
// object named group.version.Kind.namespace.name, an object that only one
// side has diffed against nothing. Colour is the caller's choice; the
// package never looks at the terminal and never prints.
package diff
