package topology

import "maps"

// Service is what a Service a manifest declares says of its load
// balancer: the pods it selects and its annotations (target type).
type Service struct {
	Selector, Annotations map[string]string
}

// AddServices records the Services of a manifest by "namespace/name".
func (r *Registry) AddServices(name string, s map[string]Service) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.get(name)
	if c.Services == nil {
		c.Services = map[string]Service{}
	}
	maps.Copy(c.Services, s)
}
