package fit

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/rightsize/rightsize/internal/footprint"
	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/model"
	"github.com/rightsize/rightsize/internal/names"
	"github.com/rightsize/rightsize/internal/rewrite"
)

func loadConfigsApp(t *testing.T) *model.App {
	t.Helper()
	app, err := load.Load([]string{"testdata/configs.yaml"}, load.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// configTarget: 3 ConfigMaps (the namespace's kube-root-ca.crt among them)
// for the app's 5, one Secret for its 3.
func configTarget() *model.Target {
	return quotaTarget(corev1.ResourceList{
		"configmaps":    resource.MustParse("3"),
		"count/secrets": resource.MustParse("1"),
	})
}

func TestConfigMerges(t *testing.T) {
	app := loadConfigsApp(t)
	res, err := Run(app, configTarget(), Options{Allow: []string{AllowConfigMaps, AllowSecrets}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Fits {
		t.Fatalf("does not fit: %v %v", res.Over, res.Findings)
	}
	var left []string
	for _, o := range res.App.Objects {
		if k := o.Kind(); k == "ConfigMap" || k == "Secret" {
			left = append(left, o.Ref())
		}
	}
	// unused stays (no pod reads it); the other four merge into the first.
	if want := []string{"ConfigMap/settings", "ConfigMap/unused", "Secret/db"}; !slices.Equal(left, want) {
		t.Fatalf("left %v, want %v", left, want)
	}
	settings := res.App.Find("ConfigMap", "t", "settings").Obj.(*corev1.ConfigMap)
	if got, want := sortedKeys(settings.Data), []string{"FLAG_A", "LOG_LEVEL", "app.yaml", "features.shared", "mime.types", "motd", "nginx.conf", "shared"}; !slices.Equal(got, want) {
		t.Errorf("merged keys %v, want %v (features' clashing key shared prefixed)", got, want)
	}
	if settings.Data["shared"] != "from-settings" || settings.Data["features.shared"] != "from-features" {
		t.Errorf("clashing values mixed up: %v", settings.Data)
	}
	spec, _, _ := footprint.PodSpec(res.App.Find("Deployment", "t", "web"))
	c := spec.Containers[0]
	if len(c.EnvFrom) != 0 {
		t.Errorf("envFrom kept: %v (it would read every merged key)", c.EnvFrom)
	}
	env := map[string]string{}
	for _, e := range c.Env {
		if _, dup := env[e.Name]; dup {
			t.Errorf("env %s twice", e.Name)
		}
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = "=" + e.Value
		case e.ValueFrom.ConfigMapKeyRef != nil:
			env[e.Name] = "ConfigMap/" + e.ValueFrom.ConfigMapKeyRef.Name + "/" + e.ValueFrom.ConfigMapKeyRef.Key
		case e.ValueFrom.SecretKeyRef != nil:
			env[e.Name] = "Secret/" + e.ValueFrom.SecretKeyRef.Name + "/" + e.ValueFrom.SecretKeyRef.Key
		}
	}
	want := map[string]string{
		"F_FLAG_A": "=overridden", "F_shared": "ConfigMap/settings/features.shared", // envFrom features, prefix F_
		"DB_password": "Secret/db/password", "DB_user": "Secret/db/user", // envFrom db, prefix DB_
		"LOG_LEVEL": "ConfigMap/settings/LOG_LEVEL", "SHARED": "ConfigMap/settings/features.shared",
		"API_PASSWORD": "Secret/db/api.password",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("env %s = %q, want %q", k, env[k], v)
		}
	}
	if len(env) != len(want) {
		t.Errorf("env %v, want %v", env, want)
	}
	vols := map[string]string{}
	for _, v := range spec.Volumes {
		names.VisitConfig(&corev1.PodSpec{Volumes: []corev1.Volume{v}}, names.ConfigVisitor{Volume: func(s names.ConfigSource) {
			vols[v.Name] += s.Kind + "/" + *s.Name + ":" + itemList(*s.Items) + " "
		}})
	}
	wantVols := map[string]string{
		"nginx": "ConfigMap/settings:mime.types>mime.types,nginx.conf>nginx.conf ", // was every key of nginx
		"app":   "ConfigMap/settings:app.yaml>app.yaml ",
		"all":   "ConfigMap/settings:motd>motd Secret/db:cert>cert ConfigMap/settings:features.shared>features-shared ",
	}
	for k, v := range wantVols {
		if vols[k] != v {
			t.Errorf("volume %s: %q, want %q", k, vols[k], v)
		}
	}
	if res.Cost.ConfigsMerged != 5 || res.Cost.Merged != 0 {
		t.Errorf("cost %+v, want 5 configs merged and no workload", res.Cost)
	}
	if broken := names.ConfigBroken(app, res.App); len(broken) > 0 {
		t.Errorf("config reads changed: %v", broken)
	}
	var merged []string
	for _, ch := range res.Changes {
		if ch.Field == "(object)" && strings.HasPrefix(ch.After, "merged into ") {
			merged = append(merged, ch.Object.String()+" "+ch.After)
		}
	}
	if want := []string{"ConfigMap/features merged into ConfigMap/settings", "ConfigMap/nginx merged into ConfigMap/settings",
		"ConfigMap/extra merged into ConfigMap/settings", "Secret/api merged into Secret/db", "Secret/tls merged into Secret/db"}; !slices.Equal(merged, want) {
		t.Errorf("report says %v, want %v", merged, want)
	}
}

// TestConfigMergesOff: Secrets merge only when asked for; then the count
// binds and the finding says so.
func TestConfigMergesOff(t *testing.T) {
	res, err := Run(loadConfigsApp(t), configTarget(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fits || res.Cost.ConfigsMerged != 3 {
		t.Errorf("fits %v with %d merged; want no fit (Secrets are opt-in) after the 3 ConfigMap merges", res.Fits, res.Cost.ConfigsMerged)
	}
	if _, ok := res.Over["count/secrets"]; !ok {
		t.Errorf("over %v, want count/secrets named", res.Over)
	}
}

// TestConfigBrokenCatches: the integrity check sees a reference rewritten
// to the wrong key, a whole-volume mount that would see merged keys, and an
// envFrom that would read them.
func TestConfigBrokenCatches(t *testing.T) {
	app := loadConfigsApp(t)
	res, err := Run(app, configTarget(), Options{Allow: []string{AllowConfigMaps}})
	if err != nil {
		t.Fatal(err)
	}
	for name, tamper := range map[string]func(*corev1.PodSpec){
		"wrong key": func(s *corev1.PodSpec) {
			s.Containers[0].Env[len(s.Containers[0].Env)-3].ValueFrom.ConfigMapKeyRef.Key = "shared"
		},
		"whole volume": func(s *corev1.PodSpec) { s.Volumes[0].ConfigMap.Items = nil },
		"envFrom": func(s *corev1.PodSpec) {
			s.Containers[0].EnvFrom = append(s.Containers[0].EnvFrom, corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "settings"}}})
		},
	} {
		out := rewrite.Copy(res.App)
		spec, _, _ := footprint.PodSpec(out.Find("Deployment", "t", "web"))
		tamper(spec)
		if broken := names.ConfigBroken(app, out); len(broken) == 0 {
			t.Errorf("%s: not caught", name)
		}
	}
}

func TestConfigPins(t *testing.T) {
	app := loadConfigsApp(t)
	pins := rewrite.ConfigPins(app)
	why := map[string]string{}
	for i, w := range pins {
		why[app.Objects[i].Ref()] = w
	}
	if !strings.Contains(why["ConfigMap/unused"], "no pod") {
		t.Errorf("unused: %q", why["ConfigMap/unused"])
	}
	for _, r := range []string{"ConfigMap/settings", "ConfigMap/features", "ConfigMap/nginx", "Secret/db", "Secret/tls"} {
		if why[r] != "" {
			t.Errorf("%s pinned: %s", r, why[r])
		}
	}
	// An envFrom beside a source outside the app, a pull secret, a key
	// the ConfigMap lacks.
	spec, _, _ := footprint.PodSpec(app.Find("Deployment", "", "web"))
	spec.Containers[0].EnvFrom = append(spec.Containers[0].EnvFrom, corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "elsewhere"}}})
	spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "api"}}
	spec.Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Key = "missing"
	pins = rewrite.ConfigPins(app)
	why = map[string]string{}
	for i, w := range pins {
		why[app.Objects[i].Ref()] = w
	}
	for r, want := range map[string]string{"ConfigMap/features": "not in the app", "Secret/db": "not in the app", "Secret/api": "imagePullSecrets", "ConfigMap/settings": `"missing"`} {
		if !strings.Contains(why[r], want) {
			t.Errorf("%s: %q, want it to say %s", r, why[r], want)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func itemList(items []corev1.KeyToPath) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Key + ">" + it.Path
	}
	return strings.Join(out, ",")
}
