package rancher

import (
	"os"
	"path/filepath"
)

// Detect tells whether dir is a Rancher catalog entry: a template version
// folder (rancher-compose.yml), a template folder (config.yml and version
// folders) or a catalog root (templates/).
func Detect(dir string) bool {
	_, err := resolve(dir)
	return err == nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func isVersionDir(dir string) bool {
	return exists(filepath.Join(dir, "rancher-compose.yml")) || exists(filepath.Join(dir, "rancher-compose.yaml"))
}
