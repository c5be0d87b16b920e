// Package cli holds rightsize's cobra commands, their flags and exit codes.
// It is the only package that prints to the terminal or chooses an exit code;
// stages return values and errors.
package cli
