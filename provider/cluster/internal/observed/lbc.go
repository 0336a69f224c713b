package observed

import "time"

// LoadBalancerController is the AWS Load Balancer Controller as found or
// installed: Installed when its Deployment, service account and webhook
// configurations exist and its role (RoleARN) too; CertExpires is when the
// webhook's serving certificate expires, zero when it is missing or cannot
// serve (see lbcontroller.Certs.Check).
type LoadBalancerController struct {
	Installed   bool
	Version     string
	RoleARN     string
	CertExpires time.Time
}

// SetLoadBalancerController records the controller.
func (r *Record) SetLoadBalancerController(c LoadBalancerController) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lbc = c
}
