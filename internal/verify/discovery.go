package verify

import (
	"encoding/json"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/restmapper"
)

// DiscoveryCacher is a Cluster whose API discovery may be kept in a file
// (the local control plane's, keyed by its version): a new process then
// maps kinds to resources without asking the apiserver.
type DiscoveryCacher interface {
	// DiscoveryCache is the file's path; "" for none.
	DiscoveryCache() string
}

// cachedMapper maps kinds by the discovery in path, filling path first
// when it is missing; kinds it lacks fall through to live. Any failure to
// read or write the file leaves live alone: the cache only saves requests.
func cachedMapper(path string, d discovery.DiscoveryInterface, live meta.RESTMapper) meta.RESTMapper {
	var groups []*restmapper.APIGroupResources
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &groups)
	}
	if err != nil || len(groups) == 0 {
		if groups, err = restmapper.GetAPIGroupResources(d); err != nil {
			return live
		}
		if data, err := json.Marshal(groups); err == nil {
			writeAtomic(path, data)
		}
	}
	return meta.FirstHitRESTMapper{MultiRESTMapper: meta.MultiRESTMapper{restmapper.NewDiscoveryRESTMapper(groups), live}}
}

// writeAtomic writes data to path through a temporary file and a rename,
// so that a concurrent reader sees all of it or nothing; errors are
// dropped (see cachedMapper).
func writeAtomic(path string, data []byte) {
	f, err := os.CreateTemp(filepath.Dir(path), ".discovery-*")
	if err != nil {
		return
	}
	_, werr := f.Write(data)
	if cerr := f.Close(); werr != nil || cerr != nil || os.Rename(f.Name(), path) != nil {
		_ = os.Remove(f.Name())
	}
}
