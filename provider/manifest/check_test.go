package manifest

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

func blogTopology(nodeGroups int) topology.Cluster {
	r := topology.New()
	r.SetLayout("c", []placement.Profile{
		{Name: "fp-default", Selectors: []placement.Selector{{Namespace: "default"}, {Namespace: "kube-system"}}},
		{Name: "fp-demo-service", Selectors: []placement.Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "service"}}}},
		{Name: "fp-teams", Selectors: []placement.Selector{{Namespace: "team-*", Labels: map[string]string{"tier": "web?"}}}},
	}, nodeGroups)
	return r.Get("c")
}

func deploymentYAML(ns, name string, labels string, extra string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `, namespace: ` + ns + `}
spec:
  selector: {matchLabels: {` + labels + `}}
  template:
    metadata: {labels: {` + labels + `}}
    spec:
` + extra + `
`
}

const legacyLB = "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: tb-demo}\nspec: {type: LoadBalancer, selector: {app: service}, ports: [{port: 80}]}\n"

const container = "      containers: [{name: c, image: c}]"

func TestCheck(t *testing.T) {
	ebs := `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: tb-gp2}
provisioner: ebs.csi.aws.com
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: tb-demo}
spec: {accessModes: [ReadWriteOnce], storageClassName: tb-gp2, resources: {requests: {storage: 1Gi}}}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: efs}
provisioner: efs.csi.aws.com
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: tb-demo}
spec: {accessModes: [ReadWriteMany], storageClassName: efs, resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: defaulted, namespace: tb-demo}
spec: {accessModes: [ReadWriteOnce], storageClassName: gp2, resources: {requests: {storage: 1Gi}}}
---
`
	vol := func(claim string) string {
		return container + "\n      volumes: [{name: v, persistentVolumeClaim: {claimName: " + claim + "}}]"
	}
	cases := []struct {
		name       string
		manifest   string
		nodeGroups int
		placement  string // of the last object
		want       string // a finding, "" for none
		isErr      bool
	}{
		{"database on the node group", deploymentYAML("tb-demo", "mysql", "app: database", vol("data")), 1, "nodegroup", "", false},
		{"service on Fargate", deploymentYAML("tb-demo", "web", "app: service", container), 1, "fargate:fp-demo-service", "", false},
		{"EBS claim on Fargate", deploymentYAML("tb-demo", "db", "app: service", vol("data")), 1, "fargate:fp-demo-service",
			`Deployment tb-demo/db cannot run where EKS would put it: Fargate profile "fp-demo-service" selects its pods (namespace tb-demo with app=service), and Fargate refuses it: volumes not supported: v is of an unsupported volume Type (PersistentVolumeClaim data is backed by EBS)`, true},
		{"claim of EKS's gp2 class (EBS) on Fargate", deploymentYAML("tb-demo", "db", "app: service", vol("defaulted")), 1, "fargate:fp-demo-service", "PersistentVolumeClaim defaulted is backed by EBS", true},
		{"EFS claim on Fargate is fine", deploymentYAML("tb-demo", "files", "app: service", vol("shared")), 1, "fargate:fp-demo-service", "", false},
		{"hostNetwork on Fargate", deploymentYAML("default", "net", "app: x", "      hostNetwork: true\n"+container), 1, "fargate:fp-default", "fields not supported: HostNetwork", true},
		{"DaemonSet selected by Fargate", strings.Replace(deploymentYAML("kube-system", "agent", "app: agent", container), "Deployment", "DaemonSet", 1), 1, "fargate:fp-default", "Fargate does not run DaemonSets", true},
		{"wildcards", deploymentYAML("team-a", "site", "tier: web1", container), 0, "fargate:fp-teams", "", false},
		{"nowhere to run", deploymentYAML("tb-demo", "mysql", "app: database", container), 0, "nodegroup", "would stay Pending", false},
		{"pinned to a profile that does not select it", deploymentYAML("tb-demo", "x", "app: database, eks.amazonaws.com/fargate-profile: fp-default", container), 1, "nodegroup", `pins its pods to Fargate profile "fp-default"`, false},
		{"legacy LoadBalancer in front of Fargate pods, reached through the node group", deploymentYAML("tb-demo", "web", "app: service", container) + legacyLB,
			1, "", "", false},
		{"legacy LoadBalancer in front of Fargate pods, no node group", deploymentYAML("tb-demo", "web", "app: service", container) + legacyLB,
			0, "", "Service tb-demo/web is a legacy LoadBalancer in front of pods that all run on Fargate (Deployment tb-demo/web), and the cluster has no node group", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := kubeobj.Parse(ebs + c.manifest)
			if err != nil {
				t.Fatal(err)
			}
			topo := blogTopology(c.nodeGroups)
			s := storage(objs)
			maps.Copy(topo.Provisioners, s.Provisioners)
			maps.Copy(topo.BindingModes, s.BindingModes)
			maps.Copy(topo.Claims, s.Claims)
			placements, findings := check(objs, topo)
			if c.placement != "" {
				var last kubeobj.Object
				for _, o := range objs {
					if _, _, _, ok := o.PodTemplate(); ok {
						last = o
					}
				}
				if got := placements[last.ID()]; got != c.placement {
					t.Errorf("placement %q, want %q", got, c.placement)
				}
			}
			if c.want == "" {
				if len(findings) > 0 {
					t.Fatalf("unexpected findings: %+v", findings)
				}
				return
			}
			for _, f := range findings {
				if strings.Contains(f.msg, c.want) && f.err == c.isErr {
					return
				}
			}
			t.Fatalf("no finding %q (error %v) among %+v", c.want, c.isErr, findings)
		})
	}
}

func TestProject(t *testing.T) {
	desired := map[string]any{"spec": map[string]any{"replicas": 2, "template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "c", "image": "i"}}}}}}
	live := map[string]any{"spec": map[string]any{"replicas": 4, "progressDeadlineSeconds": 600, "template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "c", "image": "i", "imagePullPolicy": "IfNotPresent"}}, "dnsPolicy": "ClusterFirst"}}}}
	got := project(desired, live).(map[string]any)
	spec := got["spec"].(map[string]any)
	if spec["replicas"] != 4 || spec["progressDeadlineSeconds"] != nil {
		t.Fatalf("projection %v: want the live replicas and nothing the manifest does not set", got)
	}
	c := spec["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	if len(c) != 2 {
		t.Fatalf("container projection %v", c)
	}
}

// BenchmarkPlacementCheck measures the plan-time placement check: pod
// templates checked per second against a cluster of 50 Fargate profiles
// (make bench reports it).
func BenchmarkPlacementCheck(b *testing.B) {
	var docs []string
	for i := range 200 {
		docs = append(docs, deploymentYAML(fmt.Sprintf("ns%d", i%60), fmt.Sprintf("app%d", i), fmt.Sprintf("app: a%d, tier: web", i), container))
	}
	objs, err := kubeobj.Parse(strings.Join(docs, "---\n"))
	if err != nil {
		b.Fatal(err)
	}
	topo := topology.Cluster{Known: true, NodeGroups: 20, Provisioners: map[string]string{}, Claims: map[string]string{}}
	for i := range 50 {
		topo.Profiles = append(topo.Profiles, placement.Profile{Name: fmt.Sprintf("fp-%d", i),
			Selectors: []placement.Selector{{Namespace: fmt.Sprintf("ns%d", i)}, {Namespace: fmt.Sprintf("team-%d-*", i), Labels: map[string]string{"tier": "web"}}}})
	}
	b.ResetTimer()
	for range b.N {
		if placements, _ := check(objs, topo); len(placements) != len(objs) {
			b.Fatalf("%d placements for %d templates", len(placements), len(objs))
		}
	}
	b.ReportMetric(float64(len(objs)*b.N)/b.Elapsed().Seconds(), "templates/s")
}
