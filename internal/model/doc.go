// Package model holds the types every stage shares: an application as a list of
// Kubernetes objects that remember where they came from, a target as the
// ResourceQuota, LimitRange and Node objects that constrain it, and findings.
//
// It owns no behaviour beyond small accessors: loading, admission arithmetic,
// solving and rendering live in their own packages, which import model and
// never each other sideways.
package model
