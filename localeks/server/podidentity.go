package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
	"github.com/terrax/terraform-provider-fargate/localeks/sim"
)

// podIdentityAgent is the add-on whose DaemonSet hands Pod Identity
// credentials to pods: on EC2 nodes only, never on Fargate.
const podIdentityAgent = sim.PodIdentityAgentName

// podIdentity is one EKS Pod Identity association (moto has none).
type podIdentity struct {
	id, cluster, namespace, serviceAccount, role string
	tags                                         map[string]string
	created, modified                            time.Time
}

func (p *podIdentity) arn(region string) string {
	return fmt.Sprintf("arn:aws:eks:%s:123456789012:podidentityassociation/%s/%s", region, p.cluster, p.id)
}

func (p *podIdentity) summary(region string) map[string]any {
	return map[string]any{"associationArn": p.arn(region), "associationId": p.id, "clusterName": p.cluster,
		"namespace": p.namespace, "serviceAccount": p.serviceAccount}
}

func (p *podIdentity) view(region string) map[string]any {
	v := p.summary(region)
	v["roleArn"], v["tags"], v["disableSessionTags"] = p.role, p.tags, false
	v["createdAt"], v["modifiedAt"] = float64(p.created.Unix()), float64(p.modified.Unix())
	return map[string]any{"association": v}
}

// associationID is EKS's: "a-" and 17 lowercase letters and digits.
func associationID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 17)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "a-" + string(b)
}

// errNoRole is EKS's answer when IAM does not know the role (yet).
var errNoRole = errors.New("Role provided in the request does not exist")

// checkRole asks moto's IAM for the role, as EKS asks IAM; a role created
// within the shaped IAM propagation window does not exist for EKS yet.
func (s *Server) checkRole(ctx context.Context, arn string) error {
	name := arn[strings.LastIndex(arn, "/")+1:]
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":role/") || name == "" {
		return errNoRole
	}
	_, err := s.iam.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	var nse *iamtypes.NoSuchEntityException
	if errors.As(err, &nse) {
		return errNoRole
	}
	if err != nil {
		return fmt.Errorf("reading IAM role %s: %w", arn, err)
	}
	s.mu.Lock()
	created, ok := s.roles[arn]
	s.mu.Unlock()
	if ok && time.Since(created) < s.Shaper.Get().IAMPropagation.Duration {
		return errNoRole
	}
	return nil
}

// podIdentityAPI answers Create/Describe/List/Update/DeletePodIdentityAssociation.
func (s *Server) podIdentityAPI(w http.ResponseWriter, r *http.Request, c awsproxy.Call) {
	s.mu.Lock()
	cl := s.clusters[c.Cluster]
	s.mu.Unlock()
	if cl == nil {
		eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No cluster found for name: %s.", c.Cluster))
		return
	}
	if c.Name != "" && len(c.Name) != 19 {
		eksError(w, http.StatusBadRequest, "InvalidParameterException", "The parameter associationId should be 19 characters long.")
		return
	}
	body := decode(c.Body)
	role, _ := body["roleArn"].(string)
	if role != "" {
		if err := s.checkRole(r.Context(), role); errors.Is(err, errNoRole) {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		} else if err != nil {
			eksError(w, http.StatusInternalServerError, "ServerException", err.Error())
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.podIdentities[c.Cluster] == nil {
		s.podIdentities[c.Cluster] = map[string]*podIdentity{}
	}
	all := s.podIdentities[c.Cluster]
	p := all[c.Name]
	if c.Name != "" && p == nil {
		eksError(w, http.StatusNotFound, "ResourceNotFoundException",
			fmt.Sprintf("No Pod Identity association found for id: %s in cluster: %s.", c.Name, c.Cluster))
		return
	}
	now := time.Now()
	switch c.Op {
	case "CreatePodIdentityAssociation":
		ns, _ := body["namespace"].(string)
		sa, _ := body["serviceAccount"].(string)
		if ns == "" || sa == "" || role == "" {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", "namespace, serviceAccount and roleArn are required.")
			return
		}
		for _, o := range all {
			if o.namespace == ns && o.serviceAccount == sa {
				eksError(w, http.StatusConflict, "ResourceInUseException", "Association already exists: "+o.id)
				return
			}
		}
		p = &podIdentity{id: associationID(), cluster: c.Cluster, namespace: ns, serviceAccount: sa, role: role,
			tags: map[string]string{}, created: now, modified: now}
		if tags, ok := body["tags"].(map[string]any); ok {
			for k, v := range tags {
				p.tags[k] = fmt.Sprint(v)
			}
		}
		all[p.id] = p
		writeJSON(w, http.StatusOK, p.view(s.opt.Region))
	case "DescribePodIdentityAssociation":
		writeJSON(w, http.StatusOK, p.view(s.opt.Region))
	case "UpdatePodIdentityAssociation":
		if role != "" {
			p.role, p.modified = role, now
		}
		writeJSON(w, http.StatusOK, p.view(s.opt.Region))
	case "DeletePodIdentityAssociation":
		delete(all, p.id)
		writeJSON(w, http.StatusOK, p.view(s.opt.Region))
	case "ListPodIdentityAssociations":
		q := r.URL.Query()
		var found []*podIdentity
		for _, o := range all {
			if (q.Get("namespace") == "" || q.Get("namespace") == o.namespace) && (q.Get("serviceAccount") == "" || q.Get("serviceAccount") == o.serviceAccount) {
				found = append(found, o)
			}
		}
		slices.SortFunc(found, func(a, b *podIdentity) int { return a.created.Compare(b.created)*2 + strings.Compare(a.id, b.id) })
		page, next, err := paginate(q, len(found))
		if err != nil {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		}
		out := []map[string]any{}
		for _, o := range found[page[0]:page[1]] {
			out = append(out, o.summary(s.opt.Region))
		}
		resp := map[string]any{"associations": out}
		if next != "" {
			resp["nextToken"] = next
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

// HasPodIdentity reports whether the cluster's service account has a Pod
// Identity association (the simulator asks it of pods placed on Fargate).
func (c *Cluster) HasPodIdentity(namespace, serviceAccount string) bool {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	for _, p := range c.s.podIdentities[c.Name] {
		if p.namespace == namespace && p.serviceAccount == serviceAccount {
			return true
		}
	}
	return false
}

// applyPodIdentityAgent installs the agent's DaemonSet, once the cluster serves.
func (s *Server) applyPodIdentityAgent(cl *Cluster) {
	s.withKube(cl, "the eks-pod-identity-agent DaemonSet", func(ctx context.Context, k *Cluster) error {
		return sim.EnsurePodIdentityAgent(ctx, k.Kube(), s.opt.Region)
	})
}

func (s *Server) removePodIdentityAgent(cl *Cluster) {
	s.withKube(cl, "removing the eks-pod-identity-agent DaemonSet", func(ctx context.Context, k *Cluster) error {
		return sim.RemovePodIdentityAgent(ctx, k.Kube())
	})
}

// withKube runs f once the cluster's Kubernetes answers, retrying for 30 s.
func (s *Server) withKube(cl *Cluster, what string, f func(context.Context, *Cluster) error) {
	var err error
	for i := 0; i < 300; i++ {
		if cl.Kube() != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = f(ctx, cl)
			cancel()
			if err == nil {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.logf("cluster %s: %s failed: %v", cl.Name, what, err)
}
