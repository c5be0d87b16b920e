package compose

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/rightsize/rightsize/internal/load/limit"
	"github.com/rightsize/rightsize/internal/load/workload"
)

// FileNames are the names a directory's Compose file may have, in the order
// docker compose looks for them.
var FileNames = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}

// FindFile returns path if it is a file, else the Compose file in directory path.
func FindFile(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", path, err)
	}
	if !st.IsDir() {
		return path, nil
	}
	for _, n := range FileNames {
		f := filepath.Join(path, n)
		if _, err := os.Stat(f); err == nil {
			return f, nil
		}
	}
	return "", fmt.Errorf("%s: no Compose file (%s)", path, strings.Join(FileNames, ", "))
}

// Env returns the interpolation variables for a project in dir: the files
// given (--env-file), or dir/.env when none is given and it exists. The
// process environment is never read, so that output is reproducible.
// onRead, when set, is told every file read.
func Env(dir string, envFiles []string, onRead func(string)) (map[string]string, error) {
	files := envFiles
	if len(files) == 0 {
		def := filepath.Join(dir, ".env")
		if st, err := os.Stat(def); err == nil && !st.IsDir() {
			files = []string{def}
		}
	}
	for _, f := range files {
		if err := limit.Check(f, limit.DefaultInput); err != nil {
			return nil, fmt.Errorf("reading env file: %w", err)
		}
		if onRead != nil {
			onRead(f)
		}
	}
	env, err := dotenv.GetEnvFromFile(map[string]string{}, files)
	if err != nil {
		return nil, fmt.Errorf("reading env file: %w", err)
	}
	return env, nil
}

// Parsed is a loaded Compose project.
type Parsed struct {
	Project *types.Project
	// Warnings are what compose-go would have logged (an unset variable,
	// an obsolete version key), worded for findings.
	Warnings []string
	// Files are the files read besides the Compose file: env_file and
	// label_file entries, and the files extends and include name.
	Files []string
}

// Parse loads a Compose file's contents as a project, in-process: from
// bytes, with the given interpolation variables, no process environment
// and no global state (compose-go's schema is compiled once per process).
// file names it in errors; relative paths in it are relative to dir.
// Env and label files are read here, each a regular file within the input
// limit, never a FIFO or device.
// Of opts, Profiles, Limits and OnRead (told each of Parsed.Files) apply.
func Parse(file string, data []byte, dir string, env map[string]string, opts Options) (*Parsed, error) {
	return parse(file, newSource(data), dir, env, opts)
}

func parse(file string, src *source, dir string, env map[string]string, opts Options) (*Parsed, error) {
	version, err := precheck(src, env, opts.Limits.Defaults().Ports)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := &Parsed{}
	if err := out.checkReferences(file, src, dir, env, map[string]bool{}); err != nil {
		return nil, err
	}
	// Without "$" or a string to cast, compose-go's interpolation changes
	// nothing (interpolate.go); without its options it is skipped.
	single := singleDocument(src.data)
	interpolate := opts.plain || src.tree == nil || !single || needsInterpolation(src.tree)
	name := Project(dir)
	if env == nil {
		env = map[string]string{}
	}
	details := types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: file, Content: src.data}},
		Environment: env,
	}
	unset := map[string]bool{}
	optionsFor := func(unset map[string]bool) func(*loader.Options) {
		return loadOptions(name, opts.Profiles, interpolate, unset)
	}
	var p *types.Project
	if !opts.plain && single && splittable(src, cmp.Or(opts.splitFrom, minSplit)) {
		p = loadSplit(src, details, name, unset, optionsFor)
	}
	if p == nil {
		if p, err = loader.LoadWithContext(context.Background(), details, optionsFor(unset)); err != nil {
			return nil, fmt.Errorf("%s: %s", file, cleanError(err, file, dir))
		}
	}
	out.Project = p
	if version {
		out.Warnings = append(out.Warnings, "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion")
	}
	for _, v := range workload.SortedKeys(unset) {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the %q variable is not set; a blank string is used", v))
	}
	if err := out.resolveFiles(dir); err != nil {
		return nil, fmt.Errorf("%s: %s", file, cleanError(err, file, dir))
	}
	if opts.OnRead != nil {
		for _, f := range out.Files {
			opts.OnRead(f)
		}
	}
	return out, nil
}

// loadOptions are compose-go's options for loading project name with the
// given profiles; interpolate false skips interpolation, else unset
// variables are recorded in unset.
func loadOptions(name string, profiles []string, interpolate bool, unset map[string]bool) func(*loader.Options) {
	return func(o *loader.Options) {
		o.SetProjectName(name, true)
		o.Profiles = profiles
		o.ResolvePaths = false
		// Env and label files are read by resolveFiles, checked first.
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		switch {
		case !interpolate:
			// Not SkipInterpolation, which also makes later steps
			// ignore values that do not parse.
			o.Interpolate = nil
		case o.Interpolate != nil:
			o.Interpolate.Substitute = substitute(unset)
		}
	}
}

// substitute is compose-go's variable substitution without its logging
// (through logrus's global logger): an unset variable used without a
// default is recorded in unset instead.
func substitute(unset map[string]bool) func(string, template.Mapping) (string, error) {
	return func(s string, m template.Mapping) (string, error) {
		return template.SubstituteWithOptions(s, m, template.WithoutLogging,
			template.WithReplacementFunction(func(sub string, m template.Mapping, cfg *template.Config) (string, error) {
				if v := plainVariable(sub); v != "" {
					if _, ok := m(v); !ok {
						unset[v] = true
					}
				}
				return template.DefaultReplacementFunc(sub, m, cfg)
			}))
	}
}

var rePlain = regexp.MustCompile(`^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$`)

// plainVariable returns the variable of "$X" or "${X}" (no default, no
// required-value message), else "".
func plainVariable(sub string) string {
	m := rePlain.FindStringSubmatch(sub)
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}

// resolveFiles reads every service's env_file and label_file entries into
// its environment and labels, as compose-go does, after checking that each
// is a regular file within the input limit (a FIFO would block, /dev/zero
// never end). Relative paths are relative to dir.
func (ps *Parsed) resolveFiles(dir string) error {
	p := ps.Project
	for _, n := range workload.SortedKeys(p.Services) {
		svc := p.Services[n]
		specs := []*types.ContainerSpec{&svc.ContainerSpec}
		for i := range svc.PreStart {
			specs = append(specs, &svc.PreStart[i].ContainerSpec)
		}
		for _, spec := range specs {
			for i, f := range spec.EnvFiles {
				path := inDir(dir, f.Path)
				if _, err := os.Stat(path); os.IsNotExist(err) && !bool(f.Required) {
					continue
				}
				if err := ps.check(path); err != nil {
					return fmt.Errorf("services.%s.env_file[%d]: %w", n, i, err)
				}
				spec.EnvFiles[i].Path = path
			}
			for i, f := range spec.LabelFiles {
				path := inDir(dir, f)
				if err := ps.check(path); err != nil {
					return fmt.Errorf("services.%s.label_file[%d]: %w", n, i, err)
				}
				spec.LabelFiles[i] = path
			}
		}
		p.Services[n] = svc
	}
	var err error
	if p, err = p.WithServicesEnvironmentResolved(false); err != nil {
		return err
	}
	if p, err = p.WithServicesLabelsResolved(false); err != nil {
		return err
	}
	ps.Project = p
	return nil
}

func (ps *Parsed) check(path string) error {
	if err := limit.Check(path, limit.DefaultInput); err != nil {
		return err
	}
	if !slices.Contains(ps.Files, path) {
		ps.Files = append(ps.Files, path)
	}
	return nil
}

// checkReferences checks every file that file's contents make compose-go
// read, and the files those make it read in turn (an extends.file that
// extends another file, an include that includes), each once.
func (ps *Parsed) checkReferences(file string, src *source, dir string, env map[string]string, seen map[string]bool) error {
	for _, ref := range references(src, env) {
		path := inDir(dir, ref)
		if err := ps.check(path); err != nil {
			return fmt.Errorf("%s: %s: %w", file, ref, err)
		}
		if seen[path] {
			continue
		}
		seen[path] = true
		next, err := limit.ReadFile(path, limit.DefaultInput)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", file, ref, err)
		}
		if err := ps.checkReferences(path, newSource(next), filepath.Dir(path), env, seen); err != nil {
			return err
		}
	}
	return nil
}

func inDir(dir, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(dir, path)
}

// Project names a Compose project after its directory, as docker compose does.
func Project(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	n := loader.NormalizeProjectName(filepath.Base(abs))
	if n == "" {
		n = "app"
	}
	return n
}

// cleanError drops compose-go's own file prefixes and any absolute path, so
// that messages name the file as the user gave it, once.
func cleanError(err error, file, dir string) string {
	msg := err.Error()
	if abs, e := filepath.Abs(file); e == nil {
		msg = strings.ReplaceAll(msg, abs, file)
	}
	if abs, e := filepath.Abs(dir); e == nil {
		msg = strings.ReplaceAll(msg, abs+string(filepath.Separator), "")
	}
	for _, p := range []string{"validating " + file + ": ", file + ": "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return fieldError(msg)
}
