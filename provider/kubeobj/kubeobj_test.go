package kubeobj

import (
	"strings"
	"testing"
)

// The blog's database manifest with its PVC bug: `storage` is indented
// under `resources` instead of `requests`.
const blogPVCBug = `---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: tb-gp2
provisioner: kubernetes.io/aws-ebs
parameters:
  type: gp2
  fsType: ext4
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: mysql-data-disk
  namespace: tb-demo
spec:
  accessModes:
    - ReadWriteOnce
  resources:
    requests:
    storage: 25Mi
  storageClassName: tb-gp2
`

func TestParseCatchesTheBlogsPVCBug(t *testing.T) {
	_, err := Parse(blogPVCBug)
	if err == nil {
		t.Fatal("the mis-indented PVC was accepted")
	}
	want := `document 2 (PersistentVolumeClaim mysql-data-disk): unknown field "spec.resources.storage" (the API server would refuse it: check the field's spelling and its indentation)`
	if err.Error() != want {
		t.Fatalf("error:\n%s\nwant:\n%s", err, want)
	}
	fixed := strings.Replace(blogPVCBug, "    storage: 25Mi", "      storage: 25Mi", 1)
	objs, err := Parse(fixed)
	if err != nil || len(objs) != 2 {
		t.Fatalf("fixed manifest: %v %v", objs, err)
	}
	if objs[0].GetNamespace() != "" || objs[1].GetNamespace() != "tb-demo" {
		t.Fatalf("namespaces: %q %q", objs[0].GetNamespace(), objs[1].GetNamespace())
	}
}

func TestParseProblems(t *testing.T) {
	cases := map[string]struct{ manifest, want string }{
		"not YAML":        {"apiVersion: v1\nkind: [unclosed", "document 1: is not valid YAML"},
		"missing kind":    {"apiVersion: v1\nmetadata:\n  name: x\n", "document 1: missing kind"},
		"missing all":     {"foo: bar\n", "missing apiVersion, kind, metadata.name"},
		"bad name":        {"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n", `metadata.name "Bad_Name" is not a valid Kubernetes name`},
		"namespace on SC": {"apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: x\n  namespace: other\nprovisioner: p\n", "a StorageClass has no namespace"},
		"wrong type":      {"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replicas: two\n", "document 1 (Deployment x)"},
		"duplicate (default namespace)": {"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\n",
			"document 2 (ConfigMap default/x): is also document 1"},
		"second document reported": {"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: 1\n  bogus:\n    nested: true\n", "document 2 (ConfigMap x)"},
		"duplicate key":            {"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n", "document 1: is not valid YAML"},
	}
	for name, c := range cases {
		_, err := Parse(c.manifest)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}

func TestParseKeepsCustomResourcesAndSkipsEmptyDocuments(t *testing.T) {
	objs, err := Parse("# comment only\n---\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  anything: goes\n")
	if err != nil || len(objs) != 1 || objs[0].Doc != 1 || objs[0].GetNamespace() != "default" {
		t.Fatalf("%+v %v", objs, err)
	}
}

func TestApplyOrder(t *testing.T) {
	objs, err := Parse(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: tb-demo}
spec: {selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: {containers: [{name: a, image: a}]}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: tb-demo}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: v1
kind: Namespace
metadata: {name: tb-demo}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: sc}
provisioner: ebs.csi.aws.com
`)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, o := range ApplyOrder(objs) {
		kinds = append(kinds, o.GetKind())
	}
	if got := strings.Join(kinds, ","); got != "Namespace,StorageClass,PersistentVolumeClaim,Deployment,Widget" {
		t.Fatalf("order %s", got)
	}
}

func TestIDs(t *testing.T) {
	for in, want := range map[string]ID{
		"apps/v1/Deployment/tb-demo/mysql": {"apps/v1", "Deployment", "tb-demo", "mysql"},
		"v1/Namespace//tb-demo":            {"v1", "Namespace", "", "tb-demo"},
	} {
		got, err := ParseID(in)
		if err != nil || got != want || got.String() != in {
			t.Errorf("ParseID(%q) = %+v, %v", in, got, err)
		}
	}
	if _, err := ParseID("Deployment/mysql"); err == nil {
		t.Error("a short ID was accepted")
	}
}

func TestPodTemplate(t *testing.T) {
	objs, err := Parse(`apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: jobs}
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: batch}}
        spec: {restartPolicy: Never, containers: [{name: j, image: j}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
`)
	if err != nil {
		t.Fatal(err)
	}
	ns, labels, spec, ok := objs[0].PodTemplate()
	if !ok || ns != "jobs" || labels["app"] != "batch" || spec.Containers[0].Name != "j" {
		t.Fatalf("CronJob template: %v %v %v %v", ns, labels, spec, ok)
	}
	if _, _, _, ok := objs[1].PodTemplate(); ok {
		t.Fatal("a ConfigMap has no pod template")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(blogPVCBug)
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
	f.Fuzz(func(t *testing.T, manifest string) {
		objs, err := Parse(manifest)
		for _, o := range objs {
			if o.GetName() == "" || o.GetKind() == "" || o.Doc < 1 {
				t.Fatalf("an object without identity passed: %+v", o)
			}
		}
		_ = err
	})
}
