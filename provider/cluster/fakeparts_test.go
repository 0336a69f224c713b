package cluster

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/addons"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/fargatelogging"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/network"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
)

// The parts of a cluster other than EKS, faked for the ordering tests:
// each logs what it does into the fake EKS's log, so one log shows the
// order of everything.

func (f *fakeEKS) note(entry string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, entry)
}

// logged waits until the log has entry (or ctx ends).
func (f *fakeEKS) logged(ctx context.Context, entry string) error {
	for {
		f.mu.Lock()
		found := slices.Contains(f.log, entry)
		f.mu.Unlock()
		if found {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// fakeNetwork makes subnets at once; its NAT gateway becomes available
// only once the log has natAfter (as a slow NAT gateway would), and its
// deletion takes until the log has natGoneAfter.
type fakeNetwork struct {
	networkPart
	f                      *fakeEKS
	natAfter, natGoneAfter string
}

func (n *fakeNetwork) Ensure(_ context.Context, _ network.State, record func(network.State)) error {
	n.f.note("subnets")
	record(network.State{Public: []string{"subnet-p"}, Private: []string{"subnet-1", "subnet-2"}})
	return nil
}

func (n *fakeNetwork) Route(ctx context.Context, _ network.State, _ func(network.State)) error {
	if n.natAfter != "" {
		if err := n.f.logged(ctx, n.natAfter); err != nil {
			return err
		}
	}
	n.f.note("NAT route")
	return nil
}

func (n *fakeNetwork) DeleteNAT(ctx context.Context) error {
	n.f.note("delete NAT")
	if n.natGoneAfter != "" {
		if err := n.f.logged(ctx, n.natGoneAfter); err != nil {
			return err
		}
	}
	n.f.note("NAT gone")
	return nil
}

func (n *fakeNetwork) Delete(context.Context) error { n.f.note("delete network"); return nil }

type fakeRoles struct {
	rolesPart
	f *fakeEKS
}

func (r *fakeRoles) Ensure(_ context.Context, k roles.Kind) (string, error) {
	r.f.note("role " + k.Name)
	return "arn:aws:iam::123456789012:role/" + k.Name, nil
}

func (r *fakeRoles) DeleteAll(context.Context) error { r.f.note("delete roles"); return nil }

type fakeOIDC struct {
	oidcPart
	f *fakeEKS
}

func (o *fakeOIDC) Ensure(context.Context, string) (string, error) {
	o.f.note("OIDC provider")
	return "arn:aws:iam::123456789012:oidc-provider/x", nil
}

func (o *fakeOIDC) Delete(context.Context) error { o.f.note("delete OIDC provider"); return nil }

type fakeInCluster struct{ f *fakeEKS }

func (c *fakeInCluster) PlaceCoreDNS(_ context.Context, _ *observed.Record, target string) error {
	c.f.note("CoreDNS to " + target)
	return nil
}

func (c *fakeInCluster) CoreDNSRestart(context.Context, *observed.Record) (func(context.Context) error, error) {
	return func(context.Context) error { return nil }, nil
}

type fakeAddons struct {
	addonsPart
	f *fakeEKS
}

func (a *fakeAddons) Apply(_ context.Context, _ *observed.Record, _, want addons.Set, _ string) error {
	a.f.note("add-ons " + strings.Join(slices.Sorted(maps.Keys(want)), ","))
	return nil
}

// withFakeParts gives the run fakes of every part but EKS.
func withFakeParts(r *run, f *fakeEKS, n *fakeNetwork) *run {
	n.f = f
	r.network, r.roles, r.oidc = n, &fakeRoles{f: f}, &fakeOIDC{f: f}
	r.inCluster, r.addons = &fakeInCluster{f: f}, &fakeAddons{f: f}
	r.logs, r.key, r.templates, r.fargateLogs = &fakeSecurity{f: f}, &fakeKey{f: f}, &fakeTemplateStore{f: f}, &fakeFargateLogging{f: f}
	return r
}

// fakeSecurity stands for the log groups, the KMS key, the launch
// templates and Fargate logging, noting what is deleted.
type fakeSecurity struct{ f *fakeEKS }

func (s *fakeSecurity) Ensure(context.Context, string, int64) error      { return nil }
func (s *fakeSecurity) Retention(context.Context, string) (int64, error) { return 0, nil }
func (s *fakeSecurity) Delete(_ context.Context, name string) error {
	s.f.note("delete log group " + name)
	return nil
}
func (s *fakeSecurity) UpdateTags(context.Context, string, map[string]string, []string) error {
	return nil
}

type fakeKey struct{ f *fakeEKS }

func (k *fakeKey) Ensure(context.Context) (string, error) { return "", nil }
func (k *fakeKey) Find(context.Context) (string, error)   { return "", nil }
func (k *fakeKey) Delete(context.Context) error {
	k.f.note("delete KMS key")
	return nil
}
func (k *fakeKey) UpdateTags(context.Context, map[string]string, []string) error { return nil }

type fakeTemplateStore struct{ f *fakeEKS }

func (t *fakeTemplateStore) UpdateTags(context.Context, []string, map[string]string, []string) error {
	return nil
}
func (t *fakeTemplateStore) DeleteAll(context.Context) error {
	t.f.note("delete launch templates")
	return nil
}

type fakeFargateLogging struct{ f *fakeEKS }

func (l *fakeFargateLogging) Permit(context.Context, *observed.Record, fargatelogging.Spec) error {
	return nil
}
func (l *fakeFargateLogging) Apply(context.Context, *observed.Record, fargatelogging.Spec) error {
	return nil
}
func (l *fakeFargateLogging) Remove(context.Context, *observed.Record) error  { return nil }
func (l *fakeFargateLogging) Observe(context.Context, *observed.Record) error { return nil }
