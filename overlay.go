package rightsize

import (
	"context"
	"io"
	"slices"

	"github.com/rightsize/rightsize/internal/render/diff"
	"github.com/rightsize/rightsize/internal/render/kustomize"
)

// OverlayOptions configure WriteOverlay.
type OverlayOptions struct {
	// Replace allows replacing a non-empty directory.
	Replace bool
	// Inputs are the paths the app was read from: the overlay is never
	// written over or inside them.
	Inputs []string
	// Changes comment the patches: a fit's Report.Changes.
	Changes []Change
}

// WriteOverlay writes a (a fitted app) into dir as a Kustomize overlay over
// the files orig (the app as loaded) was read from: a kustomization.yaml
// naming them by relative path, one JSON 6902 patch per changed object, the
// objects a has that orig has not, and a `$patch: delete` per object a
// dropped. Inputs Kustomize cannot read as they are (Compose, Helm, ...)
// are written converted under dir/base. The overlay is built with krusty
// before it replaces dir, and refused when the build differs from a.
func (a *App) WriteOverlay(ctx context.Context, dir string, orig *App, opts OverlayOptions) error {
	return kustomize.Write(ctx, dir, orig.app.Objects, a.app.Objects, kustomize.Options{Inputs: append(append(slices.Clip(opts.Inputs), orig.app.Inputs...), a.app.Inputs...), Force: opts.Replace, Changes: opts.Changes})
}

// DiffOptions configure WriteDiff.
type DiffOptions struct {
	// Color marks removed and added lines with ANSI colours.
	Color bool
}

// DiffStats counts the objects a diff shows.
type DiffStats = diff.Stats

// WriteDiff writes the unified diff of every object that differs between
// before and a, as kubectl diff shows it (files named
// group.version.Kind.namespace.name), and returns the counts.
func (a *App) WriteDiff(w io.Writer, before *App, opts DiffOptions) (DiffStats, error) {
	return diff.Write(w, before.app.Objects, a.app.Objects, diff.Options{Color: opts.Color})
}
