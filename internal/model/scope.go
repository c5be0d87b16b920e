package model

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// clusterScoped lists the kinds that live outside namespaces: every
// cluster-scoped kind kube-apiserver serves (checked against the real
// server's discovery by internal/verify's TestClusterScopedKinds), and the
// cluster-scoped kinds of OpenShift and of common operators that apps ship
// manifests for. A CustomResourceDefinition of the app adds its own (see
// Scope).
var clusterScoped = map[schema.GroupKind]bool{
	{Group: "", Kind: "Namespace"}:        true,
	{Group: "", Kind: "Node"}:             true,
	{Group: "", Kind: "PersistentVolume"}: true,
	{Group: "", Kind: "ComponentStatus"}:  true,

	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"}:     true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"}:   true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicy"}:        true,
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingAdmissionPolicyBinding"}: true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicy"}:          true,
	{Group: "admissionregistration.k8s.io", Kind: "MutatingAdmissionPolicyBinding"}:   true,
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"}:                 true,
	{Group: "apiregistration.k8s.io", Kind: "APIService"}:                             true,
	{Group: "authentication.k8s.io", Kind: "TokenReview"}:                             true,
	{Group: "authentication.k8s.io", Kind: "SelfSubjectReview"}:                       true,
	{Group: "authorization.k8s.io", Kind: "SubjectAccessReview"}:                      true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectAccessReview"}:                  true,
	{Group: "authorization.k8s.io", Kind: "SelfSubjectRulesReview"}:                   true,
	{Group: "certificates.k8s.io", Kind: "CertificateSigningRequest"}:                 true,
	{Group: "certificates.k8s.io", Kind: "ClusterTrustBundle"}:                        true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "FlowSchema"}:                       true,
	{Group: "flowcontrol.apiserver.k8s.io", Kind: "PriorityLevelConfiguration"}:       true,
	{Group: "internal.apiserver.k8s.io", Kind: "StorageVersion"}:                      true,
	{Group: "networking.k8s.io", Kind: "IngressClass"}:                                true,
	{Group: "networking.k8s.io", Kind: "IPAddress"}:                                   true,
	{Group: "networking.k8s.io", Kind: "ServiceCIDR"}:                                 true,
	{Group: "node.k8s.io", Kind: "RuntimeClass"}:                                      true,
	{Group: "policy", Kind: "PodSecurityPolicy"}:                                      true,
	{Group: "extensions", Kind: "PodSecurityPolicy"}:                                  true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"}:                         true,
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"}:                  true,
	{Group: "resource.k8s.io", Kind: "DeviceClass"}:                                   true,
	{Group: "resource.k8s.io", Kind: "ResourceSlice"}:                                 true,
	{Group: "resource.k8s.io", Kind: "DeviceTaintRule"}:                               true,
	{Group: "scheduling.k8s.io", Kind: "PriorityClass"}:                               true,
	{Group: "storage.k8s.io", Kind: "StorageClass"}:                                   true,
	{Group: "storage.k8s.io", Kind: "CSIDriver"}:                                      true,
	{Group: "storage.k8s.io", Kind: "CSINode"}:                                        true,
	{Group: "storage.k8s.io", Kind: "VolumeAttachment"}:                               true,
	{Group: "storage.k8s.io", Kind: "VolumeAttributesClass"}:                          true,
	{Group: "storagemigration.k8s.io", Kind: "StorageVersionMigration"}:               true,

	// OpenShift (also under its pre-3.6 group-less "v1").
	{Group: "security.openshift.io", Kind: "SecurityContextConstraints"}: true,
	{Group: "quota.openshift.io", Kind: "ClusterResourceQuota"}:          true,
	{Group: "project.openshift.io", Kind: "Project"}:                     true,
	{Group: "project.openshift.io", Kind: "ProjectRequest"}:              true,
	{Group: "user.openshift.io", Kind: "User"}:                           true,
	{Group: "user.openshift.io", Kind: "Group"}:                          true,
	{Group: "user.openshift.io", Kind: "Identity"}:                       true,
	{Group: "image.openshift.io", Kind: "Image"}:                         true,
	{Group: "oauth.openshift.io", Kind: "OAuthClient"}:                   true,
	// Operators apps often bring.
	{Group: "cert-manager.io", Kind: "ClusterIssuer"}: true,
}

// groupless are the kinds above whose objects may carry no group: OpenShift's
// pre-3.6 unified "v1" API.
var groupless = func() map[string]bool {
	m := map[string]bool{}
	for gk := range clusterScoped {
		if strings.HasSuffix(gk.Group, ".openshift.io") {
			m[gk.Kind] = true
		}
	}
	return m
}()

// ClusterScoped reports whether objects of gk live outside namespaces, by
// the built-in table. Scope also knows the app's own CRDs.
func ClusterScoped(gk schema.GroupKind) bool {
	if clusterScoped[gk] {
		return true
	}
	return gk.Group == "" && groupless[gk.Kind]
}

// Scope tells namespaced objects from cluster-scoped ones for one app: the
// built-in table plus the kinds the app's own CustomResourceDefinitions
// declare with scope Cluster.
type Scope struct {
	crds map[schema.GroupKind]bool
}

// NewScope reads app's CustomResourceDefinitions.
func NewScope(app *App) *Scope {
	s := &Scope{crds: map[schema.GroupKind]bool{}}
	if app == nil {
		return s
	}
	for _, o := range app.Objects {
		if o.Kind() != "CustomResourceDefinition" {
			continue
		}
		u, ok := o.Obj.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
		scope, _, _ := unstructured.NestedString(u.Object, "spec", "scope")
		if scope == "Cluster" {
			s.crds[schema.GroupKind{Group: group, Kind: kind}] = true
		}
	}
	return s
}

// Namespaced reports whether o lives in a namespace.
func (s *Scope) Namespaced(o *Object) bool {
	gk := o.GVK().GroupKind()
	return !ClusterScoped(gk) && !s.crds[gk]
}
