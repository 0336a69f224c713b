package placement

import "testing"

func TestTargetTypes(t *testing.T) {
	for _, c := range []struct {
		annotations map[string]string
		want        string
	}{
		{nil, TargetTypeInstance},
		{map[string]string{LoadBalancerTypeAnnotation: "external"}, TargetTypeInstance},
		{map[string]string{LoadBalancerTypeAnnotation: "external", NLBTargetTypeAnnotation: "ip"}, TargetTypeIP},
		{map[string]string{LoadBalancerTypeAnnotation: "nlb-ip"}, TargetTypeIP},
	} {
		if got := NLBTargetType(c.annotations); got != c.want {
			t.Errorf("NLBTargetType(%v) = %q, want %q", c.annotations, got, c.want)
		}
	}
	ip := map[string]string{ALBTargetTypeAnnotation: "ip"}
	instance := map[string]string{ALBTargetTypeAnnotation: "instance"}
	for _, c := range []struct {
		ingress, service map[string]string
		want             string
	}{
		{nil, nil, TargetTypeInstance},
		{ip, nil, TargetTypeIP},
		{ip, instance, TargetTypeInstance},
		{nil, ip, TargetTypeIP},
	} {
		if got := ALBTargetType(c.ingress, c.service); got != c.want {
			t.Errorf("ALBTargetType(%v, %v) = %q, want %q", c.ingress, c.service, got, c.want)
		}
	}
}
