package rightsize

import "github.com/rightsize/rightsize/internal/env"

// Environment is a named target with defaults for any setting, read from
// rightsize.yaml (see LoadEnvironments).
type Environment = env.Environment

// EnvironmentFile is the name of an environments file.
const EnvironmentFile = env.FileName

// EnvironmentFiles returns the environments files that apply to an app at
// paths: rightsize.yaml beside the app, then userConfigDir/rightsize/
// rightsize.yaml; files that do not exist are left out.
func EnvironmentFiles(paths []string, userConfigDir string) []string {
	return env.Files(paths, userConfigDir)
}

// LoadEnvironments reads the environments of files, sorted by name; an
// earlier file's environment hides a later one of the same name.
func LoadEnvironments(files []string) ([]*Environment, error) { return env.Load(files) }

// FindEnvironment returns the environment called name, or an error that
// names the files read and the environments they define.
func FindEnvironment(envs []*Environment, name string, files []string) (*Environment, error) {
	return env.Find(envs, name, files)
}
