package compose

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/rightsize/rightsize/internal/load/limit"
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
func Env(dir string, envFiles []string) (map[string]string, error) {
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
	}
	env, err := dotenv.GetEnvFromFile(map[string]string{}, files)
	if err != nil {
		return nil, fmt.Errorf("reading env file: %w", err)
	}
	return env, nil
}

// Parse loads a Compose file's contents as a project. file names it in
// errors; relative paths in it are relative to dir. compose-go's warnings
// (an unset variable, say) are returned, not logged.
func Parse(file string, data []byte, dir string, env map[string]string, profiles []string) (*types.Project, []string, error) {
	if err := precheck(data); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", file, err)
	}
	name := Project(dir)
	details := types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: file, Content: data}},
		Environment: env,
	}
	var p *types.Project
	var err error
	warnings := captureWarnings(func() {
		p, err = loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
			o.SetProjectName(name, true)
			o.Profiles = profiles
			o.ResolvePaths = false
			o.SkipResolveEnvironment = false
		})
	})
	for i, w := range warnings {
		warnings[i] = cleanError(fmt.Errorf("%s", w), file, dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %s", file, cleanError(err, file, dir))
	}
	return p, warnings, nil
}

// logMu serializes loads, as compose-go logs through logrus's global logger.
var logMu sync.Mutex

type hook struct{ msgs []string }

func (h *hook) Levels() []logrus.Level { return []logrus.Level{logrus.WarnLevel, logrus.ErrorLevel} }
func (h *hook) Fire(e *logrus.Entry) error {
	h.msgs = append(h.msgs, e.Message)
	return nil
}

// captureWarnings runs f with logrus silenced, returning what it warned.
func captureWarnings(f func()) []string {
	logMu.Lock()
	defer logMu.Unlock()
	std := logrus.StandardLogger()
	out, hooks := std.Out, std.ReplaceHooks(logrus.LevelHooks{})
	h := &hook{}
	std.AddHook(h)
	std.SetOutput(io.Discard)
	defer func() {
		std.SetOutput(out)
		std.ReplaceHooks(hooks)
	}()
	f()
	return h.msgs
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
