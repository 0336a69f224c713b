package cluster

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/access"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
)

// serveAccess answers the access entry calls of one cluster (ACTIVE only):
// Create/DescribeAccessEntry, AssociateAccessPolicy, ListAssociatedAccessPolicies.
func (f *fakeEKS) serveAccess(w http.ResponseWriter, r *http.Request, body map[string]any) {
	if f.entries == nil {
		f.entries = map[string][]string{}
	}
	if f.cluster == nil || f.cluster.status != "ACTIVE" {
		fail(w, 400, "InvalidRequestException", "Cluster is not in ACTIVE status")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/") // the principal ARN is one escaped segment
	principal := ""
	if len(parts) > 3 {
		principal, _ = url.PathUnescape(parts[3])
	}
	policies, ok := f.entries[principal]
	switch {
	case len(parts) == 3 && r.Method == http.MethodPost:
		principal, _ = body["principalArn"].(string)
		f.entries[principal] = []string{}
		f.log = append(f.log, "create access entry "+principal)
		json.NewEncoder(w).Encode(map[string]any{"accessEntry": map[string]any{"principalArn": principal, "type": "STANDARD"}})
	case !ok:
		fail(w, 404, "ResourceNotFoundException", "no access entry "+principal)
	case len(parts) == 4 && r.Method == http.MethodGet:
		json.NewEncoder(w).Encode(map[string]any{"accessEntry": map[string]any{"principalArn": principal, "type": "STANDARD"}})
	case len(parts) == 5 && r.Method == http.MethodPost:
		policy, _ := body["policyArn"].(string)
		f.entries[principal] = append(policies, policy)
		f.log = append(f.log, "associate "+policy)
		json.NewEncoder(w).Encode(map[string]any{"principalArn": principal})
	case len(parts) == 5 && r.Method == http.MethodGet:
		var out []map[string]any
		for _, p := range policies {
			out = append(out, map[string]any{"policyArn": p, "accessScope": map[string]any{"type": "cluster"}})
		}
		json.NewEncoder(w).Encode(map[string]any{"associatedAccessPolicies": out})
	default:
		fail(w, 400, "InvalidRequestException", "unexpected "+r.Method+" "+r.URL.Path)
	}
}

// Access entries are made once the cluster is ACTIVE and before any node
// group or profile, so that whoever they let in can use the cluster as soon
// as it has compute; they are recorded for the state.
func TestCreateOrdering_accessEntries(t *testing.T) {
	f := newFakeEKS(2)
	o, _ := fakeRun(t, f)
	o = withFakeParts(o, f, &fakeNetwork{})
	ob := observed.New()
	ob.UpdateRoles(func(r *observed.Roles) {
		*r = observed.Roles{Cluster: "arn:aws:iam::123456789012:role/c", Node: "arn:aws:iam::123456789012:role/n", PodExecution: "arn:aws:iam::123456789012:role/p"}
	})
	ob.SetNetwork(network.State{Private: []string{"subnet-1", "subnet-2"}})
	ngs, fps := blogSpecs()
	ci := "arn:aws:iam::123456789012:role/ci"
	in := createInput{version: "1.35", access: controlplane.Access{Public: true}, want: children.Set{NodeGroups: ngs, Profiles: fps},
		auth:    access.Config{Mode: "API", BootstrapCreatorAdmin: true},
		entries: access.Set{"ci": {PrincipalARN: ci, Type: "STANDARD", Policies: map[string][]string{"AmazonEKSClusterAdminPolicy": nil}}}}
	if err := o.create(context.Background(), ob, in); err != nil {
		t.Fatalf("create: %v\nlog: %v", err, f.log)
	}
	entry, associate := index(f.log, "create access entry "+ci), index(f.log, "associate arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
	if entry < index(f.log, "cluster ACTIVE") || associate < entry {
		t.Fatalf("the access entry was not made after the cluster was ACTIVE, then its policy: %v", f.log)
	}
	for _, n := range []string{"ng-a", "fp-a"} {
		if index(f.log, "create "+n) < associate {
			t.Errorf("%s created before the access entries: %v", n, f.log)
		}
	}
	if e, ok := ob.Snapshot().AccessEntries["ci"]; !ok || e.PrincipalARN != ci {
		t.Errorf("the entry was not recorded for the state: %+v", ob.Snapshot().AccessEntries)
	}
}
