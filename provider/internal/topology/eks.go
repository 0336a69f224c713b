package topology

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// Layout returns the layout of cluster name: as fargate_cluster planned it
// in this run (not Known when that is only known at apply: see
// SetPending), else as EKS has it (its add-ons too, with ReadAddons; the
// zones of its node groups stay unknown), read once and kept so that every
// manifest of the run sees the same. When EKS cannot be read, the Cluster
// is not Known and the error says what failed; it is an
// *apierr.NotFoundError when the cluster does not exist (yet).
func (r *Registry) Layout(ctx context.Context, conn *eks.Client, name string) (Cluster, error) {
	if c := r.Get(name); c.Known || c.Pending {
		if c.Known {
			r.addForeign(ctx, conn, name)
		}
		return r.Get(name), nil
	}
	profiles, nodeGroups, err := read(ctx, conn, name)
	if err != nil {
		return r.Get(name), err
	}
	var addons []string
	if r.ReadAddons {
		addons = readAddons(ctx, conn, name)
	}
	r.mu.Lock()
	if c := r.get(name); !c.Known && !c.Pending { // a plan of fargate_cluster made meanwhile wins
		c.Known, c.Profiles, c.NodeGroups = true, profiles, nodeGroups
		r.markFromEKS(name)
		if c.Addons == nil {
			c.Addons = addons
		}
	}
	r.mu.Unlock()
	return r.Get(name), nil
}

// read returns the cluster's Fargate profiles and node group count as EKS
// has them, every page. A profile being deleted places no more pods, and
// one deleted meanwhile no longer exists (see
// finder.DescribedFargateProfiles): both are left out, so that a read made
// at plan and the one made again at apply agree while another tool deletes
// profiles of the cluster.
func read(ctx context.Context, conn *eks.Client, name string) ([]placement.Profile, int, error) {
	profiles, err := readProfiles(ctx, conn, name)
	var ngs []string
	if err == nil {
		ngs, err = finder.Nodegroups(ctx, conn, name)
	}
	if apierr.IsA[*ekstypes.ResourceNotFoundException](err) { // the cluster's lists: no cluster
		return nil, 0, &apierr.NotFoundError{What: fmt.Sprintf("EKS cluster %q", name), Cause: err}
	}
	if err != nil {
		return nil, 0, err
	}
	return profiles, len(ngs), nil
}

// readProfiles returns the cluster's Fargate profiles as EKS has them,
// those being deleted left out (see read).
func readProfiles(ctx context.Context, conn *eks.Client, name string) ([]placement.Profile, error) {
	fps, err := finder.DescribedFargateProfiles(ctx, conn, name)
	if err != nil {
		return nil, err
	}
	profiles := make([]placement.Profile, 0, len(fps))
	for _, fp := range fps {
		if fp.Status == ekstypes.FargateProfileStatusDeleting {
			continue
		}
		p := placement.Profile{Name: aws.ToString(fp.FargateProfileName)}
		for _, s := range fp.Selectors {
			p.Selectors = append(p.Selectors, placement.Selector{Namespace: aws.ToString(s.Namespace), Labels: s.Labels})
		}
		profiles = append(profiles, p)
	}
	return profiles, nil
}

// readAddons returns the names of the cluster's add-ons as EKS has them,
// every page, or nil (unknown) when EKS does not say: the layout is of use
// without them, and unknown add-ons refuse nothing. The zones of the node
// groups are not read here (that takes EC2, which the registry is not
// given): they stay unknown on this path.
func readAddons(ctx context.Context, conn *eks.Client, name string) []string {
	addons := []string{}
	p := eks.NewListAddonsPaginator(conn, &eks.ListAddonsInput{ClusterName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil
		}
		addons = append(addons, page.Addons...)
	}
	return addons
}
