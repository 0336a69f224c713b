package topology

// SetLoadBalancerController records whether fargate_cluster plans the
// cluster with the AWS Load Balancer Controller (nil: unknown).
func (r *Registry) SetLoadBalancerController(name string, on *bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on == nil {
		r.get(name).LoadBalancerController = nil
		return
	}
	v := *on
	r.get(name).LoadBalancerController = &v
}
