// Package shaping holds what localeks may do to AWS traffic to make it
// behave like real AWS: latency per operation, objects that stay CREATING
// or DELETING for a while, throttling and server errors at a rate, IAM roles
// that take a while to become assumable. All of it is off by default and
// set through localeks' admin API or flags, except EKS's own pace (see
// Pace), which is on unless turned off.
package shaping

import (
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Duration reads "1.5s"-style JSON.
type Duration struct{ time.Duration }

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	d.Duration = v
	return err
}

// Config is the shaping in force.
type Config struct {
	// Latency adds a delay to each call of an operation ("*": every call).
	Latency map[string]Duration `json:"latency,omitempty"`
	// Transitions: how long objects stay CREATING / DELETING.
	ClusterCreate   Duration `json:"cluster_create,omitempty"`
	ClusterDelete   Duration `json:"cluster_delete,omitempty"`
	NodegroupCreate Duration `json:"nodegroup_create,omitempty"`
	NodegroupDelete Duration `json:"nodegroup_delete,omitempty"`
	NodegroupUpdate Duration `json:"nodegroup_update,omitempty"`
	// ClusterUpdate: how long a cluster update stays InProgress.
	ClusterUpdate Duration `json:"cluster_update,omitempty"`
	// UpdateFailRate is the share of cluster and node group updates (0..1)
	// that end Failed, with EKS's errors, and change nothing.
	UpdateFailRate float64  `json:"update_fail_rate,omitempty"`
	ProfileCreate  Duration `json:"profile_create,omitempty"`
	ProfileDelete  Duration `json:"profile_delete,omitempty"`
	AddonCreate    Duration `json:"addon_create,omitempty"`
	// ProfileCreateJitter adds up to this much to each profile's creation,
	// drawn per profile (realistic profiles take 26 s to minutes).
	ProfileCreateJitter Duration `json:"profile_create_jitter,omitempty"`
	// IAMPropagation: EKS refuses a role created less than this long ago
	// ("could not be assumed"), as real IAM's eventual consistency does.
	IAMPropagation Duration `json:"iam_propagation,omitempty"`
	// ThrottleRate and ErrorRate are the shares of calls (0..1) answered
	// with ThrottlingException (HTTP 400) and a 500, for services in
	// FaultServices (default eks, iam, ec2).
	ThrottleRate  float64  `json:"throttle_rate,omitempty"`
	ErrorRate     float64  `json:"error_rate,omitempty"`
	FaultServices []string `json:"fault_services,omitempty"`
	// LostResponseRate is the share of successful calls of LostResponseOps
	// whose answer is replaced by a 500 after AWS did the work: the
	// response lost on the way back, which only idempotency tokens (or
	// recognising one's own object) make safe to retry.
	LostResponseRate float64  `json:"lost_response_rate,omitempty"`
	LostResponseOps  []string `json:"lost_response_ops,omitempty"`
	// FargatePodStart is how long a pod the fargate-scheduler takes stays
	// Pending before its Fargate node exists and it is bound, plus up to
	// FargatePodStartJitter, drawn per pod.
	FargatePodStart       Duration `json:"fargate_pod_start,omitempty"`
	FargatePodStartJitter Duration `json:"fargate_pod_start_jitter,omitempty"`
	// NodegroupFailRate is the share of node groups (0..1) whose creation
	// ends CREATE_FAILED with NodeCreationFailure.
	NodegroupFailRate float64 `json:"nodegroup_fail_rate,omitempty"`
	// NodegroupIssues gives node groups by name one of EKS's node group
	// health issue codes: one still CREATING ends CREATE_FAILED with it, an
	// ACTIVE one turns DEGRADED with it (and back when the entry goes).
	NodegroupIssues map[string]string `json:"nodegroup_issues,omitempty"`
	// NATGatewayCreate and NATGatewayDelete: how long a NAT gateway stays
	// pending after CreateNatGateway, and deleting after DeleteNatGateway
	// (moto makes both instant; EC2 takes a minute or two).
	NATGatewayCreate Duration `json:"nat_gateway_create,omitempty"`
	NATGatewayDelete Duration `json:"nat_gateway_delete,omitempty"`
	// ClusterENIRelease is how long the network interfaces EKS placed in a
	// cluster's subnets linger once the cluster is gone: until then EC2
	// refuses to delete those subnets (DependencyViolation).
	ClusterENIRelease Duration `json:"cluster_eni_release,omitempty"`
	// LBENIRelease is how long the network interfaces of a deleted load
	// balancer linger (AWS releases them asynchronously); default 2 s.
	LBENIRelease Duration `json:"lb_eni_release,omitempty"`
	// Seed makes the random draws repeatable.
	Seed uint64 `json:"seed,omitempty"`
}

// Shaper applies a Config, over EKS's pace unless that is off.
type Shaper struct {
	mu   sync.Mutex
	cfg  Config
	pace Pace
	rnd  *rand.Rand
	// lost holds one stream of draws per operation for LoseResponse, so
	// which call of an operation loses its answer does not depend on how
	// other, concurrent calls interleave with it: a seed gives the same
	// lost responses on every run.
	lost map[string]*rand.Rand
}

// New returns a Shaper with EKS's pace (DefaultCompression) and nothing
// else shaped.
func New() *Shaper {
	return &Shaper{rnd: rand.New(rand.NewPCG(1, 2)), lost: map[string]*rand.Rand{}, pace: Pace{Compression: DefaultCompression}}
}

// SetPace replaces the pace.
func (s *Shaper) SetPace(p Pace) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pace = p
}

// Pace returns the pace in force.
func (s *Shaper) Pace() Pace {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pace
}

// Set replaces the configuration.
func (s *Shaper) Set(c Config) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg = c
	s.rnd = rand.New(rand.NewPCG(c.Seed, c.Seed^0x9e3779b97f4a7c15))
	s.lost = map[string]*rand.Rand{}
}

// Get returns the configuration in force: the one set, its zero durations
// filled from the pace.
func (s *Shaper) Get() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pace.over(s.cfg)
}

// Explicit returns the configuration as set, without the pace.
func (s *Shaper) Explicit() Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// Delay is the latency to add to a call.
func (s *Shaper) Delay(op string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.cfg.Latency[op]; ok {
		return d.Duration
	}
	return s.cfg.Latency["*"].Duration
}

// Fault is what to answer instead of the real thing.
type Fault int

const (
	None Fault = iota
	Throttle
	ServerError
)

// Draw decides whether a call of the service fails.
func (s *Shaper) Draw(service string) Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	services := s.cfg.FaultServices
	if len(services) == 0 {
		services = []string{"eks", "iam", "ec2"}
	}
	if !slices.Contains(services, service) || (s.cfg.ThrottleRate == 0 && s.cfg.ErrorRate == 0) {
		return None
	}
	x := s.rnd.Float64()
	switch {
	case x < s.cfg.ThrottleRate:
		return Throttle
	case x < s.cfg.ThrottleRate+s.cfg.ErrorRate:
		return ServerError
	}
	return None
}

// LoseResponse decides whether the answer to a successful call of op is lost.
func (s *Shaper) LoseResponse(op string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg.LostResponseRate == 0 || !slices.Contains(s.cfg.LostResponseOps, op) {
		return false
	}
	r, ok := s.lost[op]
	if !ok {
		h := fnv.New64a()
		h.Write([]byte(op))
		r = rand.New(rand.NewPCG(s.cfg.Seed, h.Sum64()))
		s.lost[op] = r
	}
	return r.Float64() < s.cfg.LostResponseRate
}

// ENIRelease is how long a deleted load balancer's interfaces linger.
func (s *Shaper) ENIRelease() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.cfg.LBENIRelease.Duration; d > 0 {
		return d
	}
	return 2 * time.Second
}

// UpdateFails draws whether an update ends Failed.
func (s *Shaper) UpdateFails() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.UpdateFailRate > 0 && s.rnd.Float64() < s.cfg.UpdateFailRate
}

// Jitter draws a profile's extra creation time.
func (s *Shaper) Jitter() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draw(s.pace.over(s.cfg).ProfileCreateJitter.Duration)
}

// FargateStart draws how long a pod waits for its Fargate node.
func (s *Shaper) FargateStart() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.pace.over(s.cfg)
	return c.FargatePodStart.Duration + s.draw(c.FargatePodStartJitter.Duration)
}

// NodegroupIssue is the health issue code a node group gets ("" for none):
// its entry in NodegroupIssues, or, drawn once at creation (first is true
// then), NodeCreationFailure at NodegroupFailRate.
func (s *Shaper) NodegroupIssue(name string, first bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code := s.cfg.NodegroupIssues[name]; code != "" {
		return code
	}
	if first && s.cfg.NodegroupFailRate > 0 && s.rnd.Float64() < s.cfg.NodegroupFailRate {
		return "NodeCreationFailure"
	}
	return ""
}

// draw is a random duration below max (0 when max is not positive); s.mu is held.
func (s *Shaper) draw(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return time.Duration(s.rnd.Int64N(int64(max)))
}
