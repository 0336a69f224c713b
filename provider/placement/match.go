// Package placement knows how EKS decides where a pod runs: which Fargate
// profile's fargate-scheduler takes it, or whether it is left to the default
// scheduler and the node groups. It is the single home of that rule; the
// fargate_manifest plan check, the provider::fargate::placement function and
// localeks' Fargate simulator all call it.
//
// The rules, from the EKS user guide:
//   - a selector matches a pod when the pod's namespace matches the selector's
//     namespace and the pod carries every label of the selector;
//   - namespaces, label keys and label values may use the wildcards `*`
//     (any run of characters, also none) and `?` (exactly one character);
//   - a pod labelled eks.amazonaws.com/fargate-profile=<name> is placed by that
//     profile only, and only if one of its selectors matches;
//   - where several profiles match, EKS picks one at random. This package picks
//     the first by name so that plans are stable, and reports the others.
//
// The package has no dependencies so that any module can import it.
package placement

import (
	"sort"
)

// ProfileLabel is the pod label that pins a pod to one Fargate profile.
const ProfileLabel = "eks.amazonaws.com/fargate-profile"

// Selector is one Fargate profile selector.
type Selector struct {
	Namespace string
	Labels    map[string]string
}

// Profile is a Fargate profile as far as placement is concerned.
type Profile struct {
	Name      string
	Selectors []Selector
}

// Decision says where a pod goes.
type Decision struct {
	// Profile is the Fargate profile that takes the pod; empty when the pod
	// goes to the default scheduler (node groups).
	Profile string
	// Candidates lists every profile that matched, in name order. More than
	// one means EKS would choose among them at random.
	Candidates []string
	// PinnedMismatch is set when the pod names a profile with the
	// eks.amazonaws.com/fargate-profile label that does not exist or whose
	// selectors do not match the pod; EKS then leaves it to the default scheduler.
	PinnedMismatch string
}

// OnFargate reports whether the pod runs on Fargate.
func (d Decision) OnFargate() bool { return d.Profile != "" }

// Place decides where a pod with the given namespace and labels runs.
func Place(profiles []Profile, namespace string, podLabels map[string]string) Decision {
	sorted := make([]Profile, len(profiles))
	copy(sorted, profiles)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })

	if pinned, ok := podLabels[ProfileLabel]; ok {
		for _, p := range sorted {
			if p.Name == pinned && ProfileMatches(p, namespace, podLabels) {
				return Decision{Profile: p.Name, Candidates: []string{p.Name}}
			}
		}
		return Decision{PinnedMismatch: pinned}
	}

	var d Decision
	for _, p := range sorted {
		if ProfileMatches(p, namespace, podLabels) {
			d.Candidates = append(d.Candidates, p.Name)
		}
	}
	if len(d.Candidates) > 0 {
		d.Profile = d.Candidates[0]
	}
	return d
}

// ProfileMatches reports whether any selector of the profile matches the pod.
func ProfileMatches(p Profile, namespace string, podLabels map[string]string) bool {
	for _, s := range p.Selectors {
		if SelectorMatches(s, namespace, podLabels) {
			return true
		}
	}
	return false
}

// SelectorMatches reports whether one selector matches the pod: the namespace
// matches and every selector label is carried by the pod.
func SelectorMatches(s Selector, namespace string, podLabels map[string]string) bool {
	if !Glob(s.Namespace, namespace) {
		return false
	}
	for k, v := range s.Labels {
		if !hasLabel(podLabels, k, v) {
			return false
		}
	}
	return true
}

func hasLabel(podLabels map[string]string, keyPattern, valuePattern string) bool {
	if !hasWildcard(keyPattern) {
		got, ok := podLabels[keyPattern]
		return ok && Glob(valuePattern, got)
	}
	for k, v := range podLabels {
		if Glob(keyPattern, k) && Glob(valuePattern, v) {
			return true
		}
	}
	return false
}

func hasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

// Glob matches s against a pattern in which `*` stands for any run of
// characters (also none) and `?` for exactly one character; every other
// character stands for itself. It runs in O(len(pattern)*len(s)) at worst,
// so hostile patterns cannot make a plan hang.
func Glob(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case star >= 0:
			// Let the last star swallow one more character and retry.
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
