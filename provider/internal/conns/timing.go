package conns

import (
	"time"

	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// Timing is how often the provider polls EKS and retries calls that AWS
// answers with "not yet". It reaches every waiter through the Client, set
// from the provider's configuration (`poll_interval`), so tests and
// `make bench` choose the timing without package globals.
type Timing struct {
	// Poll is the wait for NAT gateways, updates and the rest not named
	// below. It polls at a sixtieth of the time waited so far, every 0.5 s
	// for the first 30 s: a transition is noticed within about 2% of the
	// wait's length (EKS's waits sit on the critical path, so their
	// lateness is the surplus over what EKS imposes), and a 10-minute wait
	// costs about 240 calls (300 at a fixed 2 s).
	Poll wait.Delays
	// ClusterPoll is the wait for the control plane's create and delete:
	// the first wait on a create's critical path and the longest on a
	// destroy's, each alone at its time. It polls at a 120th of the time
	// waited so far (every 0.25 s for the first 30 s): a 10-minute create
	// is noticed within 5 s for about 400 calls. Unset, Poll.
	ClusterPoll wait.Delays
	// ProfilePoll is the wait for Fargate profiles. EKS runs one profile
	// operation at a time per cluster, so their waits follow one another on
	// the critical path and each one's lateness adds up: they poll faster
	// (every 0.15 s for the first 9 s).
	// So do node groups' creates and deletes (the last wait of a create,
	// and the one the control plane's delete waits on), add-ons (CoreDNS's
	// ends a create, after the profiles) and the wait, at the
	// end of a destroy, for EC2 to release the network interfaces that keep
	// the subnets from being deleted.
	ProfilePoll wait.Delays
	// ProfileTurn is how a profile operation refused because another one is
	// in progress waits for its turn: as often as a profile waiter polls,
	// with jitter, so that a tool polling as fast does not take every turn.
	ProfileTurn wait.Delays
	// Retry is for calls refused while something else finishes (node
	// groups or profiles still being deleted): 1 s doubling to 10 s.
	Retry wait.Delays
	// Propagation is for creates EKS refuses while a new IAM role
	// propagates (seconds): the retries come at a fifth of the time waited
	// so far (every 0.1 s for the first half second), since the control
	// plane's create waits on it at the start of the critical path.
	Propagation wait.Delays
}

// DefaultTiming is the provider's timing unless configured otherwise.
func DefaultTiming() Timing {
	return Timing{
		Poll:        wait.Delays{Min: 500 * time.Millisecond, Max: 30 * time.Second, Relative: 60},
		ClusterPoll: wait.Delays{Min: 250 * time.Millisecond, Max: 30 * time.Second, Relative: 120},
		ProfilePoll: wait.Delays{Min: 150 * time.Millisecond, Max: 10 * time.Second, Relative: 60},
		ProfileTurn: wait.Delays{Min: 500 * time.Millisecond, Max: 2 * time.Second, Jitter: true},
		Retry:       wait.Delays{Min: time.Second, Max: 10 * time.Second},
		Propagation: wait.Delays{Min: 100 * time.Millisecond, Max: time.Second, Relative: 5},
	}
}

// FixedTiming polls and retries every d, as tools with a fixed poll do
// (`make bench` compares against them with it).
func FixedTiming(d time.Duration) Timing {
	f := wait.Fixed(d)
	return Timing{Poll: f, ClusterPoll: f, ProfilePoll: f, ProfileTurn: f, Retry: f, Propagation: f}
}

// Cluster is the wait for the control plane: ClusterPoll, or Poll when unset.
func (t Timing) Cluster() wait.Delays {
	if t.ClusterPoll == (wait.Delays{}) {
		return t.Poll
	}
	return t.ClusterPoll
}
