// Package kubeobj reads the Kubernetes objects of a fargate_manifest: YAML
// documents decoded strictly (an unknown field, such as the blog's
// mis-indented `spec.resources.storage`, is an error that names the
// document and the field), their identities, the order in which to apply
// and delete them, and their pod templates.
package kubeobj

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// Object is one document of a manifest.
type Object struct {
	Doc int // 1-based document number, as a reader counts
	*unstructured.Unstructured
}

// ID names an object in a cluster.
type ID struct {
	APIVersion, Kind, Namespace, Name string
}

func (id ID) String() string {
	return id.APIVersion + "/" + id.Kind + "/" + id.Namespace + "/" + id.Name
}

// Short is how messages name an object: "Deployment tb-demo/mysql".
func (id ID) Short() string {
	if id.Namespace == "" {
		return id.Kind + " " + id.Name
	}
	return id.Kind + " " + id.Namespace + "/" + id.Name
}

// ParseID reads "apiVersion/kind/namespace/name" (the import ID form; an
// apiVersion with a group has a slash of its own, and a cluster-scoped
// object has an empty namespace).
func ParseID(s string) (ID, error) {
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 4:
		return ID{parts[0], parts[1], parts[2], parts[3]}, nil
	case 5:
		return ID{parts[0] + "/" + parts[1], parts[2], parts[3], parts[4]}, nil
	}
	return ID{}, fmt.Errorf("%q is not apiVersion/kind/namespace/name (e.g. apps/v1/Deployment/tb-demo/mysql or v1/Namespace//tb-demo)", s)
}

// ID is the object's identity.
func (o Object) ID() ID {
	return ID{o.GetAPIVersion(), o.GetKind(), o.GetNamespace(), o.GetName()}
}

// Error is a problem with one document.
type Error struct {
	Doc int
	ID  string // "Kind name", when known
	Msg string
}

func (e *Error) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("document %d (%s): %s", e.Doc, e.ID, e.Msg)
	}
	return fmt.Sprintf("document %d: %s", e.Doc, e.Msg)
}

// strict decodes known kinds and rejects fields their schema lacks.
var strict = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "StorageClass": true, "CSIDriver": true, "CSINode": true,
	"VolumeAttachment": true, "CustomResourceDefinition": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"PriorityClass": true, "IngressClass": true, "RuntimeClass": true, "APIService": true,
	"MutatingWebhookConfiguration": true, "ValidatingWebhookConfiguration": true, "ValidatingAdmissionPolicy": true,
	"ValidatingAdmissionPolicyBinding": true, "CertificateSigningRequest": true, "FlowSchema": true,
	"PriorityLevelConfiguration": true, "ClusterTrustBundle": true, "DeviceClass": true,
}

// ClusterScoped reports whether objects of the kind have no namespace.
func ClusterScoped(kind string) bool { return clusterScoped[kind] }

var dnsSubdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// Parse reads the documents of a manifest. Namespaced objects without a
// namespace are put in "default". Every problem found is returned, each
// naming its document.
func Parse(manifest string) ([]Object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(manifest)))
	var objs []Object
	var errs []error
	seen := map[ID]int{}
	for doc := 1; ; doc++ {
		raw, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, &Error{Doc: doc, Msg: "cannot be read: " + err.Error()})
			break
		}
		if len(bytes.TrimSpace(stripComments(raw))) == 0 {
			doc--
			continue
		}
		j, err := yaml.YAMLToJSONStrict(raw)
		if err != nil {
			errs = append(errs, &Error{Doc: doc, Msg: "is not valid YAML: " + strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")})
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(j, &m); err != nil || m == nil {
			errs = append(errs, &Error{Doc: doc, Msg: "is not a Kubernetes object (a YAML mapping with apiVersion, kind and metadata)"})
			continue
		}
		u := &unstructured.Unstructured{Object: m}
		o := Object{Doc: doc, Unstructured: u}
		if msg := missing(u); msg != "" {
			errs = append(errs, &Error{Doc: doc, Msg: msg})
			continue
		}
		label := u.GetKind() + " " + u.GetName()
		if _, _, err := strict.Decode(j, nil, nil); err != nil && !isNotRegistered(err) {
			errs = append(errs, &Error{Doc: doc, ID: label, Msg: explainStrict(err)})
			continue
		}
		if ClusterScoped(u.GetKind()) {
			if u.GetNamespace() != "" {
				errs = append(errs, &Error{Doc: doc, ID: label, Msg: fmt.Sprintf("a %s has no namespace: remove metadata.namespace", u.GetKind())})
				continue
			}
		} else if u.GetNamespace() == "" {
			u.SetNamespace("default")
		}
		if first, dup := seen[o.ID()]; dup {
			errs = append(errs, &Error{Doc: doc, ID: o.ID().Short(), Msg: fmt.Sprintf("is also document %d: each object may appear once", first)})
			continue
		}
		seen[o.ID()] = doc
		objs = append(objs, o)
	}
	return objs, errors.Join(errs...)
}

func stripComments(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

func missing(u *unstructured.Unstructured) string {
	var m []string
	if u.GetAPIVersion() == "" {
		m = append(m, "apiVersion")
	}
	if u.GetKind() == "" {
		m = append(m, "kind")
	}
	if u.GetName() == "" {
		m = append(m, "metadata.name")
	}
	if len(m) > 0 {
		return "missing " + strings.Join(m, ", ")
	}
	if !dnsSubdomain.MatchString(u.GetName()) || len(u.GetName()) > 253 {
		return fmt.Sprintf("metadata.name %q is not a valid Kubernetes name (lower-case letters, digits, '-' and '.')", u.GetName())
	}
	if ns := u.GetNamespace(); ns != "" && (!dnsSubdomain.MatchString(ns) || strings.Contains(ns, ".") || len(ns) > 63) {
		return fmt.Sprintf("metadata.namespace %q is not a valid namespace name", ns)
	}
	return ""
}

func isNotRegistered(err error) bool {
	return strings.Contains(err.Error(), "no kind") && strings.Contains(err.Error(), "is registered")
}

var unknownField = regexp.MustCompile(`unknown field "([^"]+)"`)

// explainStrict turns a strict decoding error into advice.
func explainStrict(err error) string {
	msg := err.Error()
	if fields := unknownField.FindAllStringSubmatch(msg, -1); len(fields) > 0 {
		var names []string
		for _, f := range fields {
			names = append(names, fmt.Sprintf("%q", f[1]))
		}
		return fmt.Sprintf("unknown field %s (the API server would refuse it: check the field's spelling and its indentation)", strings.Join(names, ", "))
	}
	return strings.TrimPrefix(msg, "strict decoding error: ")
}

// applyOrder ranks kinds so that what others use exists first: namespaces,
// CRDs and storage classes before claims, claims before workloads.
var applyOrder = []string{
	"Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PriorityClass", "CustomResourceDefinition",
	"StorageClass", "PersistentVolume", "ServiceAccount", "Secret", "ConfigMap", "PersistentVolumeClaim",
	"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "DaemonSet", "Pod",
	"ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
	"IngressClass", "Ingress", "PodDisruptionBudget", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
}

func rank(kind string) int {
	for i, k := range applyOrder {
		if k == kind {
			return i
		}
	}
	return len(applyOrder) // custom resources last, after their CRDs
}

// ApplyOrder sorts objects for applying; delete in the reverse order.
func ApplyOrder(objs []Object) []Object {
	out := append([]Object(nil), objs...)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].GetKind()) < rank(out[j].GetKind()) })
	return out
}

// GVK of an object.
func (o Object) GVK() schema.GroupVersionKind { return o.GroupVersionKind() }
