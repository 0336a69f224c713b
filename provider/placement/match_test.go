package placement

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestGlob(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"default", "default", true},
		{"default", "defaults", false},
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"tb-*", "tb-demo", true},
		{"tb-*", "tb-", true},
		{"tb-*", "tb", false},
		{"*-demo", "tb-demo", true},
		{"t?-demo", "tb-demo", true},
		{"t?-demo", "t-demo", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
		{"?", "é", true},
		{"kube-system", "kube-System", false},
	}
	for _, c := range cases {
		if got := Glob(c.pattern, c.s); got != c.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

// The blog's two profiles.
var blog = []Profile{
	{Name: "fp-default", Selectors: []Selector{{Namespace: "default"}, {Namespace: "kube-system"}}},
	{Name: "fp-demo-service", Selectors: []Selector{{Namespace: "tb-demo", Labels: map[string]string{"app": "service"}}}},
}

func TestPlace(t *testing.T) {
	wild := append([]Profile{
		{Name: "fp-wild", Selectors: []Selector{{Namespace: "team-?", Labels: map[string]string{"tier": "web*"}}}},
		{Name: "fp-keys", Selectors: []Selector{{Namespace: "keys", Labels: map[string]string{"role.*/x": "y"}}}},
	}, blog...)
	cases := []struct {
		name     string
		profiles []Profile
		ns       string
		labels   map[string]string
		want     Decision
	}{
		{"service pod goes to fp-demo-service", blog, "tb-demo", map[string]string{"app": "service", "pod-template-hash": "x"},
			Decision{Profile: "fp-demo-service", Candidates: []string{"fp-demo-service"}}},
		{"database pod goes to the node group", blog, "tb-demo", map[string]string{"app": "database"}, Decision{}},
		{"unlabelled pod in tb-demo goes to the node group", blog, "tb-demo", nil, Decision{}},
		{"kube-system pod goes to fp-default", blog, "kube-system", map[string]string{"k8s-app": "kube-dns"},
			Decision{Profile: "fp-default", Candidates: []string{"fp-default"}}},
		{"default namespace pod goes to fp-default", blog, "default", nil,
			Decision{Profile: "fp-default", Candidates: []string{"fp-default"}}},
		{"no profiles", nil, "default", nil, Decision{}},
		{"wildcard namespace and value", wild, "team-a", map[string]string{"tier": "web-frontend"},
			Decision{Profile: "fp-wild", Candidates: []string{"fp-wild"}}},
		{"wildcard namespace needs one character", wild, "team-", map[string]string{"tier": "web"}, Decision{}},
		{"wildcard value mismatch", wild, "team-b", map[string]string{"tier": "db"}, Decision{}},
		{"wildcard key", wild, "keys", map[string]string{"role.example.com/x": "y"},
			Decision{Profile: "fp-keys", Candidates: []string{"fp-keys"}}},
		{"pinned profile that matches", wild, "default", map[string]string{ProfileLabel: "fp-default"},
			Decision{Profile: "fp-default", Candidates: []string{"fp-default"}}},
		{"pinned profile that does not match", blog, "default", map[string]string{ProfileLabel: "fp-demo-service"},
			Decision{PinnedMismatch: "fp-demo-service"}},
		{"pinned profile that does not exist", blog, "default", map[string]string{ProfileLabel: "nope"},
			Decision{PinnedMismatch: "nope"}},
		{"several match: first by name, all reported", []Profile{
			{Name: "zz", Selectors: []Selector{{Namespace: "*"}}},
			{Name: "aa", Selectors: []Selector{{Namespace: "apps"}}},
		}, "apps", nil, Decision{Profile: "aa", Candidates: []string{"aa", "zz"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Place(c.profiles, c.ns, c.labels)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Place = %+v, want %+v", got, c.want)
			}
			if got.OnFargate() != (c.want.Profile != "") {
				t.Fatalf("OnFargate = %v", got.OnFargate())
			}
		})
	}
}

func FuzzGlob(f *testing.F) {
	f.Add("tb-*", "tb-demo")
	f.Add("a?c", "abc")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return // Kubernetes names and labels are valid UTF-8 (in fact ASCII).
		}
		// A pattern without wildcards matches exactly itself.
		if !hasWildcard(pattern) && Glob(pattern, s) != (pattern == s) {
			t.Fatalf("Glob(%q, %q) disagrees with equality", pattern, s)
		}
		// `*` matches everything.
		if !Glob("*", s) {
			t.Fatalf("Glob(*, %q) = false", s)
		}
	})
}

// FuzzSelectorMatches checks the selector matcher against the rules EKS
// states: a selector without wildcards takes exactly the pods of its
// namespace that carry all its labels, extra pod labels never matter, and
// Place picks a profile exactly when one of its selectors matches.
func FuzzSelectorMatches(f *testing.F) {
	f.Add("tb-demo", "app", "service", "tb-demo", "app", "service", "tier", "web")
	f.Add("tb-*", "app", "s?rvice", "tb-demo", "app", "service", "", "")
	f.Add("default", "", "", "kube-system", "k", "v", "", "")
	f.Fuzz(func(t *testing.T, selNS, selKey, selValue, podNS, podKey, podValue, extraKey, extraValue string) {
		for _, s := range []string{selNS, selKey, selValue, podNS, podKey, podValue, extraKey, extraValue} {
			if !utf8.ValidString(s) {
				return // Kubernetes names and labels are valid UTF-8 (in fact ASCII).
			}
		}
		sel := Selector{Namespace: selNS}
		if selKey != "" {
			sel.Labels = map[string]string{selKey: selValue}
		}
		pod := map[string]string{}
		if podKey != "" {
			pod[podKey] = podValue
		}
		got := SelectorMatches(sel, podNS, pod)
		if !hasWildcard(selNS) && !hasWildcard(selKey) && !hasWildcard(selValue) {
			want := selNS == podNS && (selKey == "" || (podKey == selKey && podValue == selValue))
			if got != want {
				t.Fatalf("SelectorMatches(%+v, %q, %v) = %v, want %v", sel, podNS, pod, got, want)
			}
		}
		if extraKey != "" && extraKey != podKey && got {
			pod[extraKey] = extraValue
			if !SelectorMatches(sel, podNS, pod) {
				t.Fatalf("an extra pod label %q unmatched selector %+v", extraKey, sel)
			}
		}
		d := Place([]Profile{{Name: "fp", Selectors: []Selector{sel}}}, podNS, pod)
		if d.OnFargate() != SelectorMatches(sel, podNS, pod) {
			t.Fatalf("Place and SelectorMatches disagree for %+v, %q, %v", sel, podNS, pod)
		}
	})
}
