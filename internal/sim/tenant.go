package sim

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// TenantUser is the user name of the cluster's unprivileged identity.
const TenantUser = "rightsize-tenant"

// Tenant gives the unprivileged identity the rights a tenant of a shared
// cluster has in namespace, and no others: the built-in "edit" role there
// (create, change and delete the usual objects; read, not change, quotas and
// limit ranges), no access to nodes, no namespace creation. It creates the
// namespace when missing and returns the path of a kubeconfig whose context
// is the tenant in that namespace.
func (c *Cluster) Tenant(ctx context.Context, namespace string) (string, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}
	if _, err := c.Client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", fmt.Errorf("creating namespace %s: %w", namespace, err)
	}
	rb := &rbacv1.RoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: "rightsize-tenant", Namespace: namespace},
		RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "edit"},
		Subjects:   []rbacv1.Subject{{APIGroup: rbacv1.GroupName, Kind: rbacv1.UserKind, Name: TenantUser}},
	}
	if _, err := c.Client.RbacV1().RoleBindings(namespace).Create(ctx, rb, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return "", fmt.Errorf("granting the tenant access to %s: %w", namespace, err)
	}
	// The authorizer learns of the binding through its informer: wait
	// until it allows what the binding grants.
	err := c.retry(ctx, 30*time.Second, func() error {
		sar := &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User:               TenantUser,
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: namespace, Verb: "create", Resource: "configmaps"},
		}}
		got, err := c.Client.AuthorizationV1().SubjectAccessReviews().Create(ctx, sar, metav1.CreateOptions{})
		if err != nil {
			return err
		}
		if !got.Status.Allowed {
			return fmt.Errorf("the tenant may not create config maps in %s yet", namespace)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	path := filepath.Join(c.Dir, "tenant-"+namespace+".kubeconfig")
	if err := writeKubeconfig(path, c.Server, c.caData, c.tenantToken, namespace); err != nil {
		return "", err
	}
	return path, nil
}

// RESTConfig is the admin's client configuration.
func (c *Cluster) RESTConfig() *rest.Config { return c.Config }

// Clientset is the admin's client.
func (c *Cluster) Clientset() kubernetes.Interface { return c.Client }
