package manifest

import (
	"maps"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekstest"
	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
)

// What EKS needs beyond placement: the EBS CSI driver add-on, a load
// balancer EKS itself makes, and volumes in the zone of their pod.
func TestCheck_whatEKSNeeds(t *testing.T) {
	const classes = `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: immediate}
provisioner: ebs.csi.aws.com
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: late}
provisioner: kubernetes.io/aws-ebs
volumeBindingMode: WaitForFirstConsumer
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: files}
provisioner: efs.csi.aws.com
---
`
	claim := func(name, class string) string {
		c := "storageClassName: " + class + ", "
		if class == "" {
			c = ""
		}
		return "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: " + name + ", namespace: tb-demo}\nspec: {" + c +
			"accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n---\n"
	}
	mysql := func(claim string) string {
		return deploymentYAML("tb-demo", "mysql", "app: database", container+"\n      volumes: [{name: v, persistentVolumeClaim: {claimName: "+claim+"}}]")
	}
	service := func(annotations, spec string) string {
		return "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: tb-demo, annotations: {" + annotations + "}}\n" +
			"spec: {type: LoadBalancer, selector: {app: service}, ports: [{port: 80}]" + spec + "}\n"
	}
	web := webDeployment()
	withEBS, none := []string{"vpc-cni", "aws-ebs-csi-driver"}, []string{}
	cases := []struct {
		name       string
		manifest   string
		addons     []string // nil: unknown
		nodeGroups int
		zones      int
		want       string // a finding, "" for none
		isErr      bool
	}{
		// 1. EBS needs the aws-ebs-csi-driver add-on.
		{"EBS claim, no driver", claim("data", "immediate"), none, 1, 1,
			`PersistentVolumeClaim tb-demo/data uses StorageClass "immediate", whose provisioner ebs.csi.aws.com makes EBS volumes, but the cluster has no "aws-ebs-csi-driver" add-on, without which EKS makes no EBS volume: the claim would stay Pending, and its pods with it. Add "aws-ebs-csi-driver" to the cluster's addons`, true},
		{"in-tree EBS claim, no driver", claim("data", "late"), []string{"coredns"}, 1, 1, `StorageClass "late", whose provisioner kubernetes.io/aws-ebs`, true},
		{"claim of EKS's gp2 class, no driver", claim("data", "gp2"), none, 1, 1, `StorageClass "gp2", whose provisioner kubernetes.io/aws-ebs`, true},
		// EKS clusters of 1.30 and later have no default class.
		{"claim without a class", claim("data", ""), withEBS, 1, 1, `PersistentVolumeClaim tb-demo/data names no storageClassName, and EKS makes clusters of Kubernetes 1.30`, false},
		{"EBS claim with the driver", claim("data", "immediate"), withEBS, 1, 1, "", false},
		{"EBS claim, add-ons unknown", claim("data", "immediate"), nil, 1, 1, "", false},
		{"EFS claim, no driver", claim("data", "files"), none, 1, 1, "", false},
		{"claim of a class made elsewhere", claim("data", "elsewhere"), none, 1, 1, "", false},
		// 2. Load balancers (the controller's: check_controller_test.go).
		{"legacy NLB Service", web + service("service.beta.kubernetes.io/aws-load-balancer-type: nlb", ""), none, 1, 1, "", false},
		// 3. Legacy load balancers reach Fargate pods through nodes.
		{"legacy Service before Fargate pods, no node group", web + service("", ""), none, 0, 0, "legacy LoadBalancer in front of pods that all run on Fargate (Deployment tb-demo/web)", false},
		{"legacy Service before Fargate pods, a node group", web + service("", ""), none, 1, 0, "", false},
		{"legacy Service before pods of the node group", mysql("x") + strings.Replace(service("", ""), "{app: service}", "{app: database}", 1), none, 0, 0, "", false},
		{"Service of another class", web + service("", ", loadBalancerClass: example.com/lb"), none, 0, 0, "", false},
		// 4. An Immediate EBS class and node groups over several zones.
		{"Immediate class, three zones", claim("data", "immediate") + mysql("data"), withEBS, 1, 3,
			`Deployment tb-demo/mysql runs on the node groups, which span 3 availability zones, and mounts PersistentVolumeClaim data of StorageClass "immediate", which binds Immediately`, false},
		{"Immediate class, one zone", claim("data", "immediate") + mysql("data"), withEBS, 1, 1, "", false},
		{"Immediate class, zones unknown", claim("data", "immediate") + mysql("data"), withEBS, 1, 0, "", false},
		{"WaitForFirstConsumer class, three zones", claim("data", "late") + mysql("data"), withEBS, 1, 3, "", false},
		{"EKS's gp2 (WaitForFirstConsumer), three zones", claim("data", "gp2") + mysql("data"), withEBS, 1, 3, "", false},
		{"class made elsewhere, three zones", claim("data", "elsewhere") + mysql("data"), withEBS, 1, 3, "", false},
		{"Immediate EFS class, three zones", claim("data", "files") + mysql("data"), withEBS, 1, 3, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := kubeobj.Parse(classes + c.manifest)
			if err != nil {
				t.Fatal(err)
			}
			topo := blogTopology(c.nodeGroups)
			topo.Addons, topo.NodeGroupZones = c.addons, c.zones
			s := storage(objs)
			maps.Copy(topo.Provisioners, s.Provisioners)
			maps.Copy(topo.BindingModes, s.BindingModes)
			maps.Copy(topo.Claims, s.Claims)
			_, findings := check(objs, topo)
			for _, f := range findings {
				if f.summary == "" { // the placement check's, tested by TestCheck
					continue
				}
				if c.want == "" {
					t.Fatalf("unexpected finding: %+v", f)
				}
				if strings.Contains(f.msg, c.want) && f.err == c.isErr {
					return
				}
			}
			if c.want == "" {
				return
			}
			t.Fatalf("no finding %q (error %v) among %+v", c.want, c.isErr, findings)
		})
	}
}

// A Service sees the pods of the manifests planned before its own.
func TestCheck_loadBalancerSeesOtherManifests(t *testing.T) {
	r := topology.New()
	r.SetLayout("c", blogTopology(0).Profiles, 0)
	pods, err := kubeobj.Parse(deploymentYAML("tb-demo", "web", "app: service", container))
	if err != nil {
		t.Fatal(err)
	}
	placements, _ := check(pods, r.Get("c"))
	r.AddWorkloads("c", workloads(pods, placements))
	svc, err := kubeobj.Parse(strings.TrimPrefix(legacyLB, "---\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, findings := check(svc, r.Get("c")); len(findings) != 1 || !strings.Contains(findings[0].msg, "(Deployment tb-demo/web)") {
		t.Fatalf("findings %+v", findings)
	}
	r.SetLayout("c", blogTopology(0).Profiles, 1)
	if _, findings := check(svc, r.Get("c")); len(findings) != 0 {
		t.Fatalf("with a node group: findings %+v", findings)
	}
}

// The findings are diagnostics on manifest, each with its summary; while
// fargate_cluster does not report add-ons, nothing is said of them.
func TestModifyPlan_whatEKSNeeds(t *testing.T) {
	const claim = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: tb-demo}\n" +
		"spec: {accessModes: [ReadWriteOnce], storageClassName: gp2, resources: {requests: {storage: 1Gi}}}\n"
	for _, c := range []struct {
		name   string
		addons []string
		want   string
	}{
		{"add-ons reported", []string{"coredns"}, "Storage class needs an EKS add-on"},
		{"add-ons not reported", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			conn, srv := ekstest.New(t, func([]string, url.Values) ekstest.Reply { return ekstest.NotFound("cluster c") })
			r := &Resource{client: &conns.Client{EKS: conn, Topology: topology.New()}}
			r.client.Topology.SetLayout("c", blogTopology(0).Profiles, 0)
			r.client.Topology.SetAddons("c", c.addons)
			_, d := plan(t, r, claim, nil)
			got := ""
			for _, e := range d.Errors() {
				if p, ok := e.(diag.DiagnosticWithPath); ok && p.Path().Equal(path.Root("manifest")) {
					got = e.Summary()
				}
			}
			if got != c.want || len(d.Errors()) > 1 || srv.Calls("clusters/c/addons") != 0 {
				t.Fatalf("error %q, want %q: %v", got, c.want, d)
			}
			// A Service planned after its pods' manifest, in the same process.
			if _, d = plan(t, r, webDeployment(), nil); d.HasError() {
				t.Fatal(d)
			}
			if _, d = plan(t, r, strings.TrimPrefix(legacyLB, "---\n"), nil); !strings.Contains(warnings(d), "Load balancer cannot reach these pods: Service tb-demo/web") {
				t.Fatalf("warnings: %s", warnings(d))
			}
		})
	}
}

func webDeployment() string { return deploymentYAML("tb-demo", "web", "app: service", container) }
