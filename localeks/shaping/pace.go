package shaping

import (
	"fmt"
	"strconv"
	"time"
)

// DefaultCompression is how many times faster than EKS localeks runs
// unless told otherwise: a 10-minute cluster creation takes 2 s, a Fargate
// pod 0.1-0.2 s to start. Chosen by measurement: on 7 acceptance tests of
// provider/cluster (2-core machine, shared) the package took 70 s with the
// pace off, 99 s at 300x and 167 s at 100x; most of the extra time is
// polls that find an object still CREATING, so a higher factor gains
// little. The whole of `make test` grows by about two minutes.
const DefaultCompression = 300

// Pace is EKS's own timing, compressed: localeks' default profile. The
// durations a Config leaves zero take EKS's, divided by Compression. EKS's
// ordering rules (one Fargate profile operation at a time per cluster, one
// update at a time) hold whatever the pace: they follow from the
// durations, which are never zero while the pace is on.
type Pace struct {
	// Off turns the pace off: what a Config leaves zero happens at once.
	Off bool `json:"off,omitempty"`
	// Compression divides EKS's durations (default DefaultCompression).
	Compression float64 `json:"compression,omitempty"`
}

// eksPace is how long EKS takes, as its user guide and API reference
// say or users measure: cluster creation "10 minutes or more", deletion a
// few; a managed node group a few minutes either way; a Fargate profile
// "several minutes" to create and delete (observed: 26 s to 3 min); an
// add-on about a minute before its pods run; a Fargate pod 30-60 s to
// start ("Fargate Pod configuration", user guide: the pod's own node is
// provisioned first); updates several minutes.
var eksPace = Config{
	ClusterCreate:         Duration{10 * time.Minute},
	ClusterDelete:         Duration{4 * time.Minute},
	ClusterUpdate:         Duration{5 * time.Minute},
	NodegroupCreate:       Duration{3 * time.Minute},
	NodegroupDelete:       Duration{4 * time.Minute},
	NodegroupUpdate:       Duration{5 * time.Minute},
	ProfileCreate:         Duration{90 * time.Second},
	ProfileCreateJitter:   Duration{60 * time.Second},
	ProfileDelete:         Duration{2 * time.Minute},
	AddonCreate:           Duration{time.Minute},
	FargatePodStart:       Duration{30 * time.Second},
	FargatePodStartJitter: Duration{30 * time.Second},
}

// over is c with its zero durations taken from the pace.
func (p Pace) over(c Config) Config {
	if p.Off {
		return c
	}
	f := p.Compression
	if f <= 0 {
		f = DefaultCompression
	}
	fill := func(d *Duration, eks Duration) {
		if d.Duration == 0 {
			d.Duration = time.Duration(float64(eks.Duration) / f)
		}
	}
	fill(&c.ClusterCreate, eksPace.ClusterCreate)
	fill(&c.ClusterDelete, eksPace.ClusterDelete)
	fill(&c.ClusterUpdate, eksPace.ClusterUpdate)
	fill(&c.NodegroupCreate, eksPace.NodegroupCreate)
	fill(&c.NodegroupDelete, eksPace.NodegroupDelete)
	fill(&c.NodegroupUpdate, eksPace.NodegroupUpdate)
	fill(&c.ProfileCreate, eksPace.ProfileCreate)
	fill(&c.ProfileCreateJitter, eksPace.ProfileCreateJitter)
	fill(&c.ProfileDelete, eksPace.ProfileDelete)
	fill(&c.AddonCreate, eksPace.AddonCreate)
	fill(&c.FargatePodStart, eksPace.FargatePodStart)
	fill(&c.FargatePodStartJitter, eksPace.FargatePodStartJitter)
	return c
}

// ParsePace reads a pace as localeks' -pace flag and LOCALEKS_PACE take
// it: "off" or a compression factor.
func ParsePace(v string) (Pace, error) {
	if v == "off" {
		return Pace{Off: true}, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 {
		return Pace{}, fmt.Errorf("pace %q: want \"off\" or a factor > 0", v)
	}
	return Pace{Compression: f}, nil
}
