//go:build bench

package bench_test

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	svg "github.com/ajstarks/svgo"
)

// lane is one tool's run of one phase: when it began and the transitions
// localeks recorded for its cluster (when EKS finished each step and when
// the tool first saw it).
type lane struct {
	Tool   string
	Start  time.Time
	Wall   float64 // seconds
	Events []event
}

// row is one step of the timeline: the same step of every tool, one bar each.
type row struct {
	label string
	match func(e event) bool
}

// rowsOf lists the steps in the order they happen: IAM roles, the NAT
// gateway, the cluster, each profile, each node group, each add-on, the
// cluster's network interfaces (destroy).
func rowsOf(lanes []lane, create bool) []row {
	rows := []row{{"start to CreateCluster / cluster gone to end", nil}}
	labels := map[string]string{"iamrole": "IAM roles", "natgateway": "NAT gateway", "cluster": "cluster", "fargateprofile": "profile ",
		"nodegroup": "node group ", "addon": "add-on ", "clustereni": "cluster's network interfaces"}
	seen := map[string]bool{}
	for _, kind := range []string{"iamrole", "natgateway", "cluster", "fargateprofile", "nodegroup", "addon", "clustereni"} {
		perName := kind == "fargateprofile" || kind == "nodegroup" || kind == "addon"
		var names []string
		for _, l := range lanes {
			for _, e := range l.Events {
				key := kind
				if perName {
					key += "/" + e.Name
				}
				if e.Kind == kind && !seen[key] {
					seen[key] = true
					names = append(names, e.Name)
				}
			}
		}
		slices.Sort(names)
		for _, n := range names {
			label := labels[kind]
			if perName {
				label += n
			}
			rows = append(rows, row{label, func(e event) bool { return e.Kind == kind && (!perName || e.Name == n) }})
		}
	}
	if !create {
		// Destroy runs the other way round.
		slices.Reverse(rows)
	}
	return rows
}

// drawTimeline writes the SVG: for each step, one bar per tool from when
// the step started to when EKS finished it, and a mark when the tool noticed.
// The first row, roles and network, runs from the start until the cluster was
// asked for (create) or from the cluster's end to the tool's end (destroy).
func drawTimeline(w io.Writer, title string, phases map[string][]lane) {
	const (
		left, rowH, barH, scaleX, top = 230, 14, 10, 9.0, 40
	)
	colors := map[string]string{"this provider": "#1f77b4", "terraform-provider-aws": "#ff7f0e", "eksctl": "#2ca02c"}
	var names []string
	height := top
	for name, lanes := range phases {
		names = append(names, name)
		height += (len(rowsOf(lanes, strings.Contains(name, "create")))*len(lanes)+2)*rowH + 30
	}
	slices.Sort(names)
	width := 1100
	canvas := svg.New(w)
	canvas.Start(width, height+40)
	canvas.Rect(0, 0, width, height+40, "fill:white")
	canvas.Text(10, 20, title, "font-family:sans-serif;font-size:14px;font-weight:bold")
	y := top
	for _, name := range names {
		lanes := phases[name]
		create := strings.Contains(name, "create")
		canvas.Text(10, y+10, name, "font-family:sans-serif;font-size:13px;font-weight:bold")
		y += 20
		maxWall := 0.0
		for _, l := range lanes {
			maxWall = max(maxWall, l.Wall)
		}
		for s := 0; s <= int(maxWall); s += 10 {
			x := left + int(float64(s)*scaleX)
			canvas.Line(x, y-4, x, y+len(rowsOf(lanes, create))*len(lanes)*rowH, "stroke:#ddd")
			canvas.Text(x, y-6, fmt.Sprintf("%ds", s), "font-family:sans-serif;font-size:9px;fill:#666")
		}
		for _, r := range rowsOf(lanes, create) {
			canvas.Text(10, y+rowH*len(lanes)/2+4, r.label, "font-family:sans-serif;font-size:11px")
			for _, l := range lanes {
				from, to, noticed, ok := span(l, r, create, lanes)
				if ok {
					x := left + int(from*scaleX)
					bw := max(1, int((to-from)*scaleX))
					canvas.Rect(x, y+2, bw, barH, "fill:"+colors[l.Tool]+";fill-opacity:0.75")
					if noticed > to {
						canvas.Rect(x+bw, y+2, max(1, int((noticed-to)*scaleX)), barH, "fill:#d62728;fill-opacity:0.6")
					}
				}
				y += rowH
			}
		}
		y += 16
	}
	lx := 10
	for _, tool := range []string{"this provider", "terraform-provider-aws", "eksctl"} {
		canvas.Rect(lx, height+10, 12, 10, "fill:"+colors[tool])
		canvas.Text(lx+16, height+19, tool, "font-family:sans-serif;font-size:11px")
		lx += 190
	}
	canvas.Rect(lx, height+10, 12, 10, "fill:#d62728;fill-opacity:0.6")
	canvas.Text(lx+16, height+19, "done in EKS, not yet noticed by the tool", "font-family:sans-serif;font-size:11px")
	canvas.End()
}

// span is a step's bar in seconds from the lane's start: started, finished
// in EKS, noticed by the tool.
func span(l lane, r row, create bool, _ []lane) (from, to, noticed float64, ok bool) {
	sec := func(t time.Time) float64 { return t.Sub(l.Start).Seconds() }
	if r.match == nil {
		var cluster *event
		for i, e := range l.Events {
			if e.Kind == "cluster" {
				cluster = &l.Events[i]
			}
		}
		if cluster == nil {
			return 0, 0, 0, false
		}
		if create {
			return 0, sec(cluster.Started), sec(cluster.Started), true
		}
		end := sec(cluster.At)
		if !cluster.Noticed.IsZero() {
			end = sec(cluster.Noticed)
		}
		return end, l.Wall, l.Wall, true
	}
	// A row of several transitions (the IAM roles) spans them all.
	for _, e := range l.Events {
		if !r.match(e) {
			continue
		}
		n := sec(e.At)
		if !e.Noticed.IsZero() {
			n = sec(e.Noticed)
		}
		if !ok {
			from, to, noticed, ok = sec(e.Started), sec(e.At), n, true
			continue
		}
		from, to, noticed = min(from, sec(e.Started)), max(to, sec(e.At)), max(noticed, n)
	}
	return from, to, noticed, ok
}
