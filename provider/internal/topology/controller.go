package topology

import "context"

// Whether a cluster has the AWS Load Balancer Controller: fargate_cluster
// says so in its plan; for a cluster made elsewhere (read from EKS by
// Layout) the Kubernetes API tells, read only when a manifest needs to
// know and then kept for the run, so that every manifest sees the same.

// ControllerReader tells whether the controller is installed in an
// existing cluster, through the Kubernetes API; nil when it cannot tell.
type ControllerReader func(ctx context.Context, cluster string) *bool

// controllers is what the registry knows of the controller beyond the
// plan: the clusters Layout read from EKS, and the answers read for them.
type controllers struct {
	fromEKS map[string]bool
	read    map[string]*bool
}

// markFromEKS records that Layout read the cluster from EKS: no plan of
// this run says what it has. The caller holds r.mu.
func (r *Registry) markFromEKS(name string) {
	if r.lbc.fromEKS == nil {
		r.lbc.fromEKS = map[string]bool{}
	}
	r.lbc.fromEKS[name] = true
}

// LoadBalancerController returns whether the cluster has the controller:
// as fargate_cluster plans it in this run; for a cluster Layout read from
// EKS, as read calls it (once per run); else nil, unknown, from which
// nothing is concluded. A cluster planned in this run is never read: what
// it has now is not what the apply makes, and a value the plan knew must
// stay the same at apply.
func (r *Registry) LoadBalancerController(ctx context.Context, name string, read ControllerReader) *bool {
	r.mu.Lock()
	c := r.get(name)
	if c.LoadBalancerController != nil || !r.lbc.fromEKS[name] || read == nil {
		defer r.mu.Unlock()
		return clone(c.LoadBalancerController)
	}
	if v, done := r.lbc.read[name]; done {
		defer r.mu.Unlock()
		return clone(v)
	}
	r.mu.Unlock()
	v := read(ctx, name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lbc.read == nil {
		r.lbc.read = map[string]*bool{}
	}
	if first, done := r.lbc.read[name]; done { // another manifest read it meanwhile: the first answer stays
		return clone(first)
	}
	r.lbc.read[name] = v
	return clone(v)
}

func clone(b *bool) *bool {
	if b == nil {
		return nil
	}
	v := *b
	return &v
}
