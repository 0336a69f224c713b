package placement

import "testing"

func TestNeedsLoadBalancerController(t *testing.T) {
	cases := []struct {
		annotations map[string]string
		class, want string
	}{
		{nil, "", ""},
		{map[string]string{LoadBalancerTypeAnnotation: "nlb"}, "", ""}, // the legacy cloud controller's NLB
		{map[string]string{LoadBalancerTypeAnnotation: "external"}, "", "annotation " + LoadBalancerTypeAnnotation + ": external"},
		{map[string]string{LoadBalancerTypeAnnotation: "nlb-ip"}, "", "annotation " + LoadBalancerTypeAnnotation + ": nlb-ip"},
		{nil, "service.k8s.aws/nlb", "loadBalancerClass service.k8s.aws/nlb"},
		{nil, "example.com/lb", ""},
	}
	for _, c := range cases {
		if got := NeedsLoadBalancerController(c.annotations, c.class); got != c.want {
			t.Errorf("NeedsLoadBalancerController(%v, %q) = %q, want %q", c.annotations, c.class, got, c.want)
		}
	}
}
