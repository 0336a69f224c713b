package server

import "time"

// nodegroupIssueMessages are the messages of EKS's node group health
// issues (API reference, "Issue": the codes; the wording is localeks',
// after the reference's descriptions). An issue whose code is not here
// gets the generic one.
var nodegroupIssueMessages = map[string]string{
	"NodeCreationFailure":           "Instances failed to join the kubernetes cluster",
	"AsgInstanceLaunchFailures":     "Your Auto Scaling group is experiencing failures while attempting to launch instances.",
	"InstanceLimitExceeded":         "Your AWS account is unable to launch any more instances of the specified instance type.",
	"InsufficientFreeAddresses":     "One or more of the subnets associated with your managed node group does not have enough available IP addresses for new nodes.",
	"Ec2SubnetInvalidConfiguration": "One or more Amazon EC2 subnets specified for a node group do not automatically assign public IP addresses to instances launched into it.",
	"Ec2SubnetNotFound":             "One or more of the Amazon EC2 subnets specified for a node group was deleted.",
	"IamInstanceProfileNotFound":    "We couldn't find the IAM instance profile for your managed node group.",
	"IamNodeRoleNotFound":           "We couldn't find the IAM role for your managed node group.",
	"AccessDenied":                  "Amazon EKS or one or more of your managed nodes is failing to authenticate or authorize with your Kubernetes cluster API server.",
	"ClusterUnreachable":            "Amazon EKS or one or more of your managed nodes is unable to communicate with your Kubernetes cluster API server.",
}

// nodegroupHealth gives a node group the status and health issues shaping
// decides: CREATE_FAILED when its creation drew an issue, DEGRADED while an
// ACTIVE one has one (NodegroupIssues). s.mu is held.
func (s *Server) nodegroupHealth(l *lifecycle, name string, o map[string]any) {
	status, code := "", ""
	switch {
	case l != nil && l.failCode != "":
		status, code = "CREATE_FAILED", l.failCode
	case o["status"] == "ACTIVE":
		if code = s.Shaper.NodegroupIssue(name, false); code != "" {
			status = "DEGRADED"
		}
	}
	if status == "" {
		return
	}
	msg, ok := nodegroupIssueMessages[code]
	if !ok {
		msg = "The managed node group has an issue: " + code
	}
	o["status"] = status
	o["health"] = map[string]any{"issues": []any{map[string]any{"code": code, "message": msg, "resourceIds": []string{"eks-" + name + "-asg"}}}}
}

// nodegroupFailed reports a node group whose creation fails: it gets no
// nodes. Others get theirs while CREATING, as EKS's do (not once DELETING).
func (c *Cluster) nodegroupSkipped(name string) bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	l := c.s.objects[objKey("nodegroup", c.Name, name)]
	return l != nil && (l.failCode != "" || l.deleting(time.Now()))
}

// Joined records that the node group's nodes are in the cluster.
func (c *Cluster) Joined(nodegroup string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.joined == nil {
		c.joined = map[string]time.Time{}
	}
	if _, ok := c.joined[nodegroup]; !ok {
		c.joined[nodegroup] = time.Now()
	}
}

// joinedAt is when the node group's nodes joined: EKS makes it ACTIVE no
// earlier. A node group made again under the same name joins again.
func (c *Cluster) joinedAt(nodegroup string, since time.Time) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.joined[nodegroup]
	if ok && at.Before(since) {
		delete(c.joined, nodegroup)
		return time.Time{}, false
	}
	return at, ok
}
