package fit

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rightsize/rightsize/internal/model"
)

// TestRunShrinksStorage: with storage allowed, the claims the app creates
// keep one common fraction of their size, never below the floor.
func TestRunShrinksStorage(t *testing.T) {
	claimSpec := func(size string) corev1.PersistentVolumeClaimSpec {
		return corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}}}
	}
	three := int32(3)
	ss := &appsv1.StatefulSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"}, ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: appsv1.StatefulSetSpec{Replicas: &three, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{ObjectMeta: metav1.ObjectMeta{Name: "data"}, Spec: claimSpec("10Gi")}}}}
	ss.Spec.Template.Labels = map[string]string{"app": "db"}
	ss.Spec.Template.Spec.Containers = []corev1.Container{{Name: "db", Image: "db"}}
	pvc := &corev1.PersistentVolumeClaim{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"}, ObjectMeta: metav1.ObjectMeta{Name: "files"}, Spec: claimSpec("5Gi")}
	tests := []struct {
		name      string
		allow     []string
		min       string
		fits      bool
		db, files string
	}{
		// 3 x 10Gi + 5Gi = 35Gi into 15Gi: f = 3/7; 4.2857Gi rounds down
		// to 4388Mi, 2.1428Gi to 2194Mi.
		{"shrunk", append(append([]string{}, Kinds...), AllowStorage), "", true, "4388Mi", "2194Mi"},
		{"not allowed by default", nil, "", false, "10Gi", "5Gi"},
		// Floors of 5Gi: 3 x 5 + 5 = 20Gi > 15Gi.
		{"floor too high", []string{AllowStorage}, "5Gi", false, "10Gi", "5Gi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := &model.App{Objects: []*model.Object{{Obj: ss}, {Obj: pvc}}}
			opts := Options{Allow: tt.allow}
			if tt.min != "" {
				q := resource.MustParse(tt.min)
				opts.MinStorage = &q
			}
			res, err := Run(app, quotaTarget(corev1.ResourceList{"requests.storage": resource.MustParse("15Gi")}), opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Fits != tt.fits {
				t.Errorf("fits = %v, want %v: %v", res.Fits, tt.fits, res.Findings)
			}
			var db, files resource.Quantity
			for _, o := range res.App.Objects {
				switch x := o.Obj.(type) {
				case *appsv1.StatefulSet:
					db = x.Spec.VolumeClaimTemplates[0].Spec.Resources.Requests[corev1.ResourceStorage]
				case *corev1.PersistentVolumeClaim:
					files = x.Spec.Resources.Requests[corev1.ResourceStorage]
				}
			}
			if db.String() != tt.db || files.String() != tt.files {
				t.Errorf("sizes %s, %s; want %s, %s", db.String(), files.String(), tt.db, tt.files)
			}
		})
	}
	// A live namespace's claims may exist: none is shrunk.
	tg := quotaTarget(corev1.ResourceList{"requests.storage": resource.MustParse("15Gi")})
	tg.Live = true
	res, err := Run(&model.App{Objects: []*model.Object{{Obj: ss}, {Obj: pvc}}}, tg, Options{Allow: []string{AllowStorage}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Changes {
		if c.Field != "metadata.namespace" {
			t.Errorf("a live target's claim changed: %+v", c)
		}
	}
	if res.Fits {
		t.Error("fits in a live target without shrinking")
	}
}
