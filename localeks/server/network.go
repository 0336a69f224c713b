package server

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

// What EC2 takes time for and moto makes instant: a NAT gateway is pending
// for a while after CreateNatGateway and deleting after DeleteNatGateway,
// and holds its subnet until it is deleted; the network interfaces EKS puts
// in a cluster's subnets hold them until a while after the cluster is gone.

// natGateway is a NAT gateway made through localeks.
type natGateway struct {
	subnet string
	l      *lifecycle
}

// natState finds each NAT gateway's ID and its state in EC2's XML answers
// (the state follows the ID within one natGateway element).
var natState = regexp.MustCompile(`(?s)(<natGatewayId>([^<]+)</natGatewayId>.*?<state>)([a-z]+)(</state>)`)

var natGatewayID = regexp.MustCompile(`<natGatewayId>([^<]+)</natGatewayId>`)

// networkAfter tracks NAT gateways and rewrites their states in moto's answers.
func (s *Server) networkAfter(c awsproxy.Call, status int, body []byte) []byte {
	if status/100 != 2 {
		return body
	}
	switch c.Op {
	case "CreateNatGateway", "DeleteNatGateway", "DescribeNatGateways":
	default:
		return body
	}
	cfg := s.Shaper.Get()
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch c.Op {
	case "CreateNatGateway":
		if m := natGatewayID.FindSubmatch(body); m != nil {
			id := string(m[1])
			l := &lifecycle{Kind: "natgateway", Name: id, Key: c.AccessKey, Created: now, CreateFor: cfg.NATGatewayCreate.Duration}
			s.objects[objKey(l.Kind, "", id)] = l
			s.history = append(s.history, l)
			s.nats[id] = &natGateway{subnet: formValue(c.Body, "SubnetId"), l: l}
		}
	case "DeleteNatGateway":
		if n := s.nats[formValue(c.Body, "NatGatewayId")]; n != nil && n.l.Deleted.IsZero() {
			n.l.Deleted, n.l.DeleteFor = now, cfg.NATGatewayDelete.Duration
		}
		return body
	}
	return natState.ReplaceAllFunc(body, func(match []byte) []byte {
		p := natState.FindSubmatch(match)
		n := s.nats[string(p[2])]
		if n == nil {
			return match
		}
		state := string(p[3])
		switch {
		case state == "available" && n.l.creating(now):
			state = "pending"
		case state == "deleted" && n.l.deleting(now):
			state = "deleting"
		case state == "available":
			n.l.notice(now, true)
		case state == "deleted":
			n.l.notice(now, false)
		}
		return []byte(string(p[1]) + state + string(p[4]))
	})
}

// networkBefore refuses, as EC2 does, to delete a subnet that a NAT
// gateway or a cluster's network interfaces are still in; it reports
// whether it answered.
func (s *Server) networkBefore(w http.ResponseWriter, c awsproxy.Call) bool {
	if c.Op != "DeleteSubnet" {
		return false
	}
	id := formValue(c.Body, "SubnetId")
	release := s.Shaper.Get().ClusterENIRelease.Duration
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var user string
	for nid, n := range s.nats {
		if n.subnet == id && (n.l.Deleted.IsZero() || n.l.deleting(now)) {
			user = "NAT gateway " + nid
		}
	}
	for name, subnets := range s.eniSubnets {
		l := s.objects[objKey("cluster", name, "")]
		if l == nil || !slices.Contains(subnets, id) {
			continue
		}
		if l.Deleted.IsZero() || now.Before(l.Deleted.Add(l.DeleteFor+release)) {
			user = "the network interfaces of EKS cluster " + name
		}
	}
	if user == "" {
		return false
	}
	s.logf("refused DeleteSubnet %s: in use by %s", id, user)
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>DependencyViolation</Code><Message>The subnet '%s' has dependencies and cannot be deleted.</Message></Error></Errors><RequestID>localeks</RequestID></Response>`, id)
	return true
}

// subnetsOf reads the subnets of a CreateCluster request.
func subnetsOf(body []byte) []string {
	vpc, _ := decode(body)["resourcesVpcConfig"].(map[string]any)
	ids, _ := vpc["subnetIds"].([]any)
	var out []string
	for _, id := range ids {
		out = append(out, fmt.Sprint(id))
	}
	return out
}

// waitEvents are the waits EKS imposes besides its objects' transitions:
// an IAM role becoming assumable (with IAM propagation shaped), the
// network interfaces of a deleted cluster being released ("clustereni",
// with cluster_eni_release shaped) and an add-on CREATING. s.mu is held.
func (s *Server) waitEvents(now time.Time) []Event {
	cfg := s.Shaper.Get()
	var out []Event
	if prop := cfg.IAMPropagation.Duration; prop > 0 {
		for arn, created := range s.roles {
			if at := created.Add(prop); !at.After(now) {
				out = append(out, Event{Kind: "iamrole", Name: arn, Event: "ACTIVE", Started: created, At: at, Key: s.roleKeys[arn]})
			}
		}
	}
	if release := cfg.ClusterENIRelease.Duration; release > 0 {
		for _, l := range s.history {
			if l.Kind != "cluster" || l.Deleted.IsZero() {
				continue
			}
			if gone := l.Deleted.Add(l.DeleteFor); !gone.Add(release).After(now) {
				out = append(out, Event{Kind: "clustereni", Cluster: l.Cluster, Event: "gone", Started: gone, At: gone.Add(release), Key: l.Key})
			}
		}
	}
	for cluster, as := range s.addons {
		for _, a := range as {
			if at := a.created.Add(cfg.AddonCreate.Duration); !at.After(now) {
				out = append(out, Event{Kind: "addon", Cluster: cluster, Name: a.name, Event: "ACTIVE", Started: a.created, At: at})
			}
		}
	}
	return out
}
