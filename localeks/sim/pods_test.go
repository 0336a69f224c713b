package sim

import "testing"

// Two pods whose UIDs draw the same address get nodes of their own: the
// second draws again; a pod whose node an earlier attempt made keeps it.
func TestPickFargateIP(t *testing.T) {
	nodes := map[string]string{} // address -> pod
	holder := func(ip string) (string, error) { return nodes[ip], nil }
	first, err := pickFargateIP("uid-1", holder, "shop/a")
	if err != nil {
		t.Fatal(err)
	}
	nodes[first] = "kube-system/coredns" // another pod has it
	second, err := pickFargateIP("uid-1", holder, "shop/a")
	if err != nil || second == first {
		t.Fatalf("address %s (%v) for a pod whose first draw %s another pod's node has", second, err, first)
	}
	nodes[second] = "shop/a"
	if again, _ := pickFargateIP("uid-1", holder, "shop/a"); again != second {
		t.Fatalf("a retried pod got %s, want its own node's %s", again, second)
	}
}
