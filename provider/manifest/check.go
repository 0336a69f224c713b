package manifest

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
	"github.com/terrax/terraform-provider-fargate/provider/kubeobj"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Placement values of the objects attribute.
const (
	onNodegroup = "nodegroup"
	onFargate   = "fargate:"
)

// finding is one result of the plan-time check: an error or a warning,
// its summary ("" for the placement check's) and what it says.
type finding struct {
	err     bool
	msg     string
	summary string
}

// storage returns the StorageClasses and claim classes a manifest declares.
func storage(objs []kubeobj.Object) topology.Storage {
	s := topology.Storage{Provisioners: map[string]string{}, BindingModes: map[string]string{}, Claims: map[string]string{}}
	provisioners, claims := s.Provisioners, s.Claims
	for _, o := range objs {
		switch o.GetKind() {
		case "StorageClass":
			var sc storagev1.StorageClass
			if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &sc) == nil {
				provisioners[sc.Name] = sc.Provisioner
				s.BindingModes[sc.Name] = ""
				if sc.VolumeBindingMode != nil {
					s.BindingModes[sc.Name] = string(*sc.VolumeBindingMode)
				}
			}
		case "PersistentVolumeClaim":
			var c corev1.PersistentVolumeClaim
			if runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &c) == nil {
				class := ""
				if c.Spec.StorageClassName != nil {
					class = *c.Spec.StorageClassName
				}
				claims[o.GetNamespace()+"/"+o.GetName()] = class
			}
		}
	}
	return s
}

func selectorText(p placement.Profile, ns string, labels map[string]string) string {
	for _, s := range p.Selectors {
		if placement.SelectorMatches(s, ns, labels) {
			if len(s.Labels) == 0 {
				return fmt.Sprintf("namespace %s", s.Namespace)
			}
			var l []string
			for k, v := range s.Labels {
				l = append(l, k+"="+v)
			}
			sort.Strings(l)
			return fmt.Sprintf("namespace %s with %s", s.Namespace, strings.Join(l, ","))
		}
	}
	return ""
}

// check works out where each pod template runs and what cannot work there,
// by EKS's rules and without calling any API: the cluster's layout comes
// from the topology (fargate_cluster's plan, or AWS), storage from the
// manifests. It returns each workload's placement and the findings.
func check(objs []kubeobj.Object, topo topology.Cluster) (map[kubeobj.ID]string, []finding) {
	placements := map[kubeobj.ID]string{}
	var out []finding
	for _, o := range objs {
		ns, labels, spec, ok := o.PodTemplate()
		if !ok {
			continue
		}
		id := o.ID()
		d := placement.Place(topo.Profiles, ns, labels)
		if d.PinnedMismatch != "" {
			out = append(out, finding{err: false, msg: fmt.Sprintf("%s pins its pods to Fargate profile %q with the %s label, but that profile does not exist or does not select them; they go to the node groups",
				id.Short(), d.PinnedMismatch, placement.ProfileLabel)})
		}
		if !d.OnFargate() {
			placements[id] = onNodegroup
			if topo.NodeGroups == 0 {
				out = append(out, finding{err: false, msg: fmt.Sprintf("%s: no Fargate profile selects its pods (namespace %s, labels %v) and the cluster has no node group, so they would stay Pending; add a node group or a profile that selects them", id.Short(), ns, labels)})
			}
			continue
		}
		placements[id] = onFargate + d.Profile
		if len(d.Candidates) > 1 {
			out = append(out, finding{err: false, msg: fmt.Sprintf("%s: Fargate profiles %s all select its pods; EKS picks one at random (the plan shows %s). Label the pods %s=<profile> to choose", id.Short(), strings.Join(d.Candidates, ", "), d.Profile, placement.ProfileLabel)})
		}
		var p placement.Profile
		for _, c := range topo.Profiles {
			if c.Name == d.Profile {
				p = c
			}
		}
		why := fmt.Sprintf("Fargate profile %q selects its pods (%s)", d.Profile, selectorText(p, ns, labels))
		if o.GetKind() == "DaemonSet" {
			out = append(out, finding{err: true, msg: fmt.Sprintf("%s cannot run: %s, and Fargate does not run DaemonSets. Change its namespace or labels so no Fargate profile selects it, or the profile's selectors", id.Short(), why)})
			continue
		}
		if problems := placement.FargateProblems(spec, topo.ClaimProvisioner(ns)); len(problems) > 0 {
			out = append(out, finding{err: true, msg: fmt.Sprintf("%s cannot run where EKS would put it: %s, and Fargate refuses it: %s. Run it on a node group (change its namespace or labels so no profile selects it), or use a volume Fargate supports (EFS)",
				id.Short(), why, strings.Join(problems, "; "))})
		}
	}
	out = append(out, checkLoadBalancers(objs, placements, topo)...)
	out = append(out, checkVolumes(objs, placements, topo)...)
	return placements, out
}
