package manifest

import (
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

const (
	nlbType    = "service.beta.kubernetes.io/aws-load-balancer-type"
	nlbTarget  = "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"
	albTarget  = "alb.ingress.kubernetes.io/target-type"
	enableText = "Set load_balancer_controller.enabled = true on the cluster's fargate_cluster"
)

func lbService(annotations, spec string) string {
	return "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: tb-demo, annotations: {" + annotations + "}}\n" +
		"spec: {type: LoadBalancer, selector: {app: service}, ports: [{port: 80}]" + spec + "}\n"
}

func ingress(annotations, spec string) string {
	return "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: tb-demo}\nspec: {selector: {app: service}, ports: [{port: 80}]}\n" +
		"---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: tb-demo, annotations: {" + annotations + "}}\n" +
		"spec: {" + spec + "rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]}\n"
}

// The AWS Load Balancer Controller's Services and Ingresses: refused on a
// cluster known not to have the controller, naming the object and the
// attribute to set; with it (or unknown), refused in front of Fargate pods
// unless their target type is ip.
func TestCheck_loadBalancerController(t *testing.T) {
	yes, no := true, false
	external := nlbType + ": external"
	db := deploymentYAML("tb-demo", "mysql", "app: database", container)
	controller := deploymentYAML("kube-system", "aws-load-balancer-controller", "app.kubernetes.io/name: aws-load-balancer-controller", container) + "---\n"
	cases := []struct {
		name       string
		manifest   string
		controller *bool
		nodeGroups int
		want       string // an error, "" for none
	}{
		{"external Service, no controller", webDeployment() + lbService(external+", "+nlbTarget+": ip", ""), &no, 1,
			"Service tb-demo/web asks for the AWS Load Balancer Controller (annotation " + nlbType + ": external), which EKS does not install and this cluster does not have: the Service would never get an address. " + enableText},
		{"nlb-ip Service, no controller", webDeployment() + lbService(nlbType+": nlb-ip", ""), &no, 1, "(annotation " + nlbType + ": nlb-ip)"},
		{"Service of class service.k8s.aws/nlb, no controller", webDeployment() + lbService("", ", loadBalancerClass: service.k8s.aws/nlb"), &no, 1, "(loadBalancerClass service.k8s.aws/nlb)"},
		{"alb Ingress, no controller", webDeployment() + ingress(albTarget+": ip", "ingressClassName: alb, "), &no, 1,
			"Ingress tb-demo/web is of class alb, which only the AWS Load Balancer Controller serves, and EKS does not install it: this cluster does not have it, so the Ingress would never get an address. " + enableText},
		{"alb Ingress by annotation, no controller", webDeployment() + ingress("kubernetes.io/ingress.class: alb", ""), &no, 1, "Ingress tb-demo/web is of class alb"},
		{"external Service, no controller, installed by a manifest", controller + webDeployment() + lbService(external+", "+nlbTarget+": ip", ""), &no, 1, ""},
		{"external Service, controller unknown", webDeployment() + lbService(external+", "+nlbTarget+": ip", ""), nil, 1, ""},
		{"external ip Service before Fargate pods", webDeployment() + lbService(external+", "+nlbTarget+": ip", ""), &yes, 0, ""},
		{"nlb-ip Service before Fargate pods", webDeployment() + lbService(nlbType+": nlb-ip", ""), &yes, 0, ""},
		{"external Service before Fargate pods, default target type", webDeployment() + lbService(external, ""), &yes, 1,
			"Service tb-demo/web has target type instance (the default, without the annotation " + nlbTarget + "), but its pods run on Fargate (Deployment tb-demo/web), and Fargate pods cannot be instance targets"},
		{"instance Service before Fargate pods", webDeployment() + lbService(external+", "+nlbTarget+": instance", ""), &yes, 1, "has target type instance (annotation " + nlbTarget + ")"},
		{"class nlb Service before Fargate pods, controller unknown", webDeployment() + lbService("", ", loadBalancerClass: service.k8s.aws/nlb"), nil, 1, "Annotate the Service " + nlbTarget + ": ip"},
		{"instance Service before node group pods", db + strings.Replace(lbService(external, ""), "{app: service}", "{app: database}", 1), &yes, 1, ""},
		{"alb Ingress before Fargate pods, default target type", webDeployment() + ingress("", "ingressClassName: alb, "), &yes, 1,
			"Ingress tb-demo/web has target type instance (annotation " + albTarget + ", on the Ingress or its Services), but the pods of its backends run on Fargate (Service web: Deployment tb-demo/web)"},
		{"alb Ingress before Fargate pods, ip", webDeployment() + ingress(albTarget+": ip", "ingressClassName: alb, "), &yes, 0, ""},
		{"alb Ingress before Fargate pods, ip on the Service", webDeployment() + strings.Replace(ingress("", "ingressClassName: alb, "), "name: web, namespace: tb-demo}\nspec: {selector", "name: web, namespace: tb-demo, annotations: {"+albTarget+": ip}}\nspec: {selector", 1), &yes, 0, ""},
		{"Ingress of another class", webDeployment() + ingress("", "ingressClassName: nginx, "), &no, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := kubeobj.Parse(c.manifest)
			if err != nil {
				t.Fatal(err)
			}
			topo := blogTopology(c.nodeGroups)
			topo.LoadBalancerController = c.controller
			_, findings := check(objs, topo)
			var errs []string
			for _, f := range findings {
				if f.err {
					errs = append(errs, f.msg)
				}
			}
			switch {
			case c.want == "" && len(errs) > 0:
				t.Fatalf("unexpected errors: %q", errs)
			case c.want != "" && (len(errs) != 1 || !strings.Contains(errs[0], c.want)):
				t.Fatalf("errors %q, want one with %q", errs, c.want)
			}
		})
	}
}

// A legacy Service in front of Fargate pods only, with no node group to go
// through, is warned of, pointing to the controller.
func TestCheck_legacyServicePointsToTheController(t *testing.T) {
	objs, err := kubeobj.Parse(webDeployment() + legacyLB)
	if err != nil {
		t.Fatal(err)
	}
	_, findings := check(objs, blogTopology(0))
	if len(findings) != 1 || findings[0].err || !strings.Contains(findings[0].msg, "set load_balancer_controller.enabled = true on the cluster's fargate_cluster and annotate the Service "+nlbType+": external and "+nlbTarget+": ip") {
		t.Fatalf("findings %+v", findings)
	}
}

// fargate_cluster's plan says whether the cluster has the controller: an
// error on manifest, and no look in the cluster; a cluster read from EKS
// that cannot be asked concludes nothing.
func TestModifyPlan_loadBalancerController(t *testing.T) {
	svc := strings.TrimPrefix(lbService(nlbType+": external, "+nlbTarget+": ip", ""), "---\n")
	no := false
	conn, srv := ekstest.New(t, func(p []string, _ url.Values) ekstest.Reply {
		if len(p) == 3 && p[2] == "fargate-profiles" {
			return ekstest.Names("fargateProfileNames", nil, "")
		}
		if len(p) == 3 && p[2] == "node-groups" {
			return ekstest.Names("nodegroups", []string{"ng"}, "")
		}
		return ekstest.NotFound("cluster c")
	})
	r := &Resource{client: &conns.Client{EKS: conn, Topology: topology.New()}}
	r.client.Topology.SetLayout("c", nil, 1)
	r.client.Topology.SetLoadBalancerController("c", &no)
	_, d := plan(t, r, svc, nil)
	if len(d.Errors()) != 1 || d.Errors()[0].Summary() != noController || !strings.Contains(d.Errors()[0].Detail(), "Service tb-demo/web") ||
		!d.Errors()[0].(diag.DiagnosticWithPath).Path().Equal(path.Root("manifest")) || srv.Calls("clusters/c") != 0 {
		t.Fatalf("planned without the controller: %v", d)
	}
	// Read from EKS; DescribeCluster fails, so the cluster cannot be asked.
	r.client.Topology = topology.New()
	if _, d = plan(t, r, svc, nil); d.HasError() || srv.Calls("clusters/c") != 1 {
		t.Fatalf("from EKS: %v, %d DescribeCluster", d, srv.Calls("clusters/c"))
	}
	if _, d = plan(t, r, svc, nil); d.HasError() || srv.Calls("clusters/c") != 1 {
		t.Fatalf("asked again: %v", d)
	}
}

// An Ingress sees the backend Services and pods of the manifests planned
// before its own.
func TestCheck_ingressSeesOtherManifests(t *testing.T) {
	yes := true
	r := topology.New()
	r.SetLayout("c", blogTopology(1).Profiles, 1)
	r.SetLoadBalancerController("c", &yes)
	web, err := kubeobj.Parse(webDeployment() + "---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: tb-demo}\nspec: {selector: {app: service}, ports: [{port: 80}]}\n")
	if err != nil {
		t.Fatal(err)
	}
	placements, _ := check(web, r.Get("c"))
	r.AddWorkloads("c", workloads(web, placements))
	r.AddServices("c", services(web))
	ing, err := kubeobj.Parse(ingress("", "ingressClassName: alb, "))
	if err != nil {
		t.Fatal(err)
	}
	ing = ing[1:] // the Ingress alone
	if _, findings := check(ing, r.Get("c")); len(findings) != 1 || !strings.Contains(findings[0].msg, "(Service web: Deployment tb-demo/web)") {
		t.Fatalf("findings %+v", findings)
	}
}
