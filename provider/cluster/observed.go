package cluster

import (
	"sync"

	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

// observed is what exists in AWS, as far as the current operation has seen
// or made it. Every step records into it as soon as a part exists, so that
// the state written after a failure or an interruption holds every part.
// Steps running in parallel record through its methods.
type observed struct {
	mu      sync.Mutex
	network networkState
	roles   roleARNs
	// goneRoles are roles this resource made that no longer exist.
	goneRoles  []string
	cluster    *ekstypes.Cluster
	nodeGroups map[string]*ekstypes.Nodegroup
	profiles   map[string]*ekstypes.FargateProfile
}

type roleARNs struct{ cluster, node, podExecution string }

func newObserved() *observed {
	return &observed{nodeGroups: map[string]*ekstypes.Nodegroup{}, profiles: map[string]*ekstypes.FargateProfile{}}
}

func (ob *observed) lock() func() { ob.mu.Lock(); return ob.mu.Unlock }

func (ob *observed) setCluster(c *ekstypes.Cluster) {
	if c == nil {
		return
	}
	defer ob.lock()()
	ob.cluster = c
}

// setNodegroup records a node group; nil records that it is gone.
func (ob *observed) setNodegroup(name string, ng *ekstypes.Nodegroup) {
	defer ob.lock()()
	if ng == nil {
		delete(ob.nodeGroups, name)
		return
	}
	ob.nodeGroups[name] = ng
}

// setProfile records a Fargate profile; nil records that it is gone.
func (ob *observed) setProfile(name string, fp *ekstypes.FargateProfile) {
	defer ob.lock()()
	if fp == nil {
		delete(ob.profiles, name)
		return
	}
	ob.profiles[name] = fp
}

func (ob *observed) setRole(set func(*roleARNs)) {
	defer ob.lock()()
	set(&ob.roles)
}
