package cluster_test

import "github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

func tfjsonPath(root string, keys ...string) tfjsonpath.Path {
	p := tfjsonpath.New(root)
	for _, k := range keys {
		p = p.AtMapKey(k)
	}
	return p
}
