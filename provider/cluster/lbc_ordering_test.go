package cluster

import (
	"context"
	"testing"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/controlplane"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/lbcontroller"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
)

// fakeLBC notes the controller's install and removal in the fake EKS's log.
type fakeLBC struct{ f *fakeEKS }

func (l *fakeLBC) Install(_ context.Context, ob *observed.Record, want lbcontroller.Want) error {
	l.f.note("install load balancer controller " + want.Version)
	ob.SetLoadBalancerController(observed.LoadBalancerController{Installed: true, Version: want.Version, RoleARN: "arn:aws:iam::1:role/lbc"})
	return nil
}

func (l *fakeLBC) Observe(context.Context, *observed.Record, string) error { return nil }

func (l *fakeLBC) Remove(context.Context, *observed.Record) error {
	l.f.note("remove load balancer controller")
	return nil
}

// The controller is installed once the OIDC provider (its role's trust),
// the node groups and CoreDNS (its pods' compute and DNS) are there, and
// removed on destroy before the node groups and profiles its pods run on,
// so that it can delete its load balancers first.
func TestLoadBalancerControllerOrdering(t *testing.T) {
	f := newFakeEKS(2)
	o, _ := fakeRun(t, f)
	o = withFakeParts(o, f, &fakeNetwork{})
	o.lbc = &fakeLBC{f: f}
	ngs, fps := blogSpecs()
	in := createInput{version: "1.35", access: controlplane.Access{Public: true}, want: children.Set{NodeGroups: ngs, Profiles: fps}, oidc: true,
		lbc: lbcSpec{enabled: true, version: lbcontroller.DefaultVersion}}
	if err := o.create(context.Background(), observed.New(), in); err != nil {
		t.Fatalf("create: %v\nlog: %v", err, f.log)
	}
	install := index(f.log, "install load balancer controller "+lbcontroller.DefaultVersion)
	for _, before := range []string{"OIDC provider", "ng-a ACTIVE", "ng-b ACTIVE", "ng-c ACTIVE", "CoreDNS to ec2"} {
		if i := index(f.log, before); i < 0 || install < i {
			t.Errorf("the controller installed before %q: %v", before, f.log)
		}
	}

	f = newFakeEKS(2)
	f.cluster = &fakeObj{status: "ACTIVE"}
	f.profiles["fp-a"], f.nodegroups["ng-a"] = &fakeObj{status: "ACTIVE"}, &fakeObj{status: "ACTIVE"}
	o, _ = fakeRun(t, f)
	o = withFakeParts(o, f, &fakeNetwork{})
	o.lbc, o.withLBC = &fakeLBC{f: f}, true
	if err := o.destroy(context.Background(), true); err != nil {
		t.Fatalf("destroy: %v\nlog: %v", err, f.log)
	}
	remove := index(f.log, "remove load balancer controller")
	for _, after := range []string{"delete fp-a", "delete ng-a", "delete cluster"} {
		if i := index(f.log, after); remove < 0 || i < remove {
			t.Errorf("%q before the controller was removed: %v", after, f.log)
		}
	}
}

// An apply installs the controller when it is missing, at another version
// or has a certificate to replace, removes it when turned off, and leaves
// it alone otherwise.
func TestApplyLBC(t *testing.T) {
	v := lbcontroller.DefaultVersion
	installed := observed.LoadBalancerController{Installed: true, Version: v}
	for _, c := range []struct {
		name      string
		have      observed.LoadBalancerController
		old, want lbcSpec
		log       string
	}{
		{"as it is", installed, lbcSpec{enabled: true, version: v}, lbcSpec{enabled: true, version: v}, ""},
		{"rotate", installed, lbcSpec{enabled: true, version: v}, lbcSpec{enabled: true, version: v, rotate: true}, "install load balancer controller " + v},
		{"upgrade", observed.LoadBalancerController{Installed: true, Version: "v2.17.1"}, lbcSpec{enabled: true, version: "v2.17.1"}, lbcSpec{enabled: true, version: v}, "install load balancer controller " + v},
		{"gone", observed.LoadBalancerController{}, lbcSpec{enabled: true, version: v}, lbcSpec{enabled: true, version: v}, "install load balancer controller " + v},
		{"off", installed, lbcSpec{enabled: true, version: v}, lbcSpec{}, "remove load balancer controller"},
		{"never on", observed.LoadBalancerController{}, lbcSpec{}, lbcSpec{}, ""},
	} {
		f := newFakeEKS(0)
		r := &run{lbc: &fakeLBC{f: f}}
		ob := observed.New()
		ob.SetLoadBalancerController(c.have)
		if err := r.applyLBC(context.Background(), ob, c.old, c.want); err != nil {
			t.Fatal(err)
		}
		if got := append(f.log, "")[0]; got != c.log {
			t.Errorf("%s: did %q, want %q", c.name, got, c.log)
		}
	}
}
