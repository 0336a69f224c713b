package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
)

// missingCluster answers a call on a cluster that does not exist as EKS
// does, before anything else looks at the request: 404
// ResourceNotFoundException "No cluster found for name: <name>." (EKS API
// reference, e.g. ListNodegroups and CreateFargateProfile, "Errors"). moto
// answers some of these calls (ListNodegroups, ListFargateProfiles) with a
// 500, and localeks' own checks would otherwise refuse them for another
// reason. A cluster localeks still shows as DELETING exists.
func (s *Server) missingCluster(ctx context.Context, c awsproxy.Call) *refusal {
	if c.Cluster == "" {
		return nil
	}
	s.mu.Lock()
	_, running := s.clusters[c.Cluster]
	l := s.objects[objKey("cluster", c.Cluster, "")]
	s.mu.Unlock()
	if running || (l != nil && l.deleting(time.Now())) {
		return nil
	}
	_, err := s.eks.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(c.Cluster)})
	var nf *ekstypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		return nil
	}
	return &refusal{http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No cluster found for name: %s.", c.Cluster)}
}
