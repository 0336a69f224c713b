package server

import (
	"encoding/json"
	"time"
)

// lifecycle follows one EKS object through localeks' transitional states:
// moto makes everything ACTIVE at once and deletes at once; localeks reports
// CREATING and DELETING for as long as shaping says, and remembers when each
// object really became ACTIVE or gone (for the benchmarks).
type lifecycle struct {
	Kind, Cluster, Name string
	Key                 string // the access key of the call that made it
	Created             time.Time
	CreateFor           time.Duration
	Deleted             time.Time
	DeleteFor           time.Duration
	last                map[string]any // the object's last answer, for DELETING answers after moto forgot it
	extraReady          func() (time.Time, bool)
	// failCode is the health issue a node group's creation ends
	// CREATE_FAILED with (drawn when it was created; "" for none).
	failCode string
	// noticedActive and noticedGone are when a caller first saw the object
	// ACTIVE, or gone, after it became so (for the benchmarks' "noticed late").
	noticedActive, noticedGone time.Time
	// updateConfig is a node group's create-time updateConfig, which moto drops.
	updateConfig map[string]any
}

// notice records that a caller saw the object's current state.
func (l *lifecycle) notice(now time.Time, active bool) {
	if active {
		if at, ok := l.activeAt(); ok && !now.Before(at) && l.noticedActive.IsZero() && l.Deleted.IsZero() {
			l.noticedActive = now
		}
		return
	}
	if !l.Deleted.IsZero() && !l.deleting(now) && l.noticedGone.IsZero() {
		l.noticedGone = now
	}
}

func objKey(kind, cluster, name string) string { return kind + "/" + cluster + "/" + name }

// activeAt is when the object is (or will be) ACTIVE; false while unknown.
func (l *lifecycle) activeAt() (time.Time, bool) {
	at := l.Created.Add(l.CreateFor)
	if l.extraReady != nil {
		r, ok := l.extraReady()
		if !ok {
			return time.Time{}, false
		}
		if r.After(at) {
			at = r
		}
	}
	return at, true
}

func (l *lifecycle) creating(now time.Time) bool {
	if !l.Deleted.IsZero() {
		return false
	}
	at, ok := l.activeAt()
	return !ok || now.Before(at)
}

func (l *lifecycle) deleting(now time.Time) bool {
	return !l.Deleted.IsZero() && now.Before(l.Deleted.Add(l.DeleteFor))
}

// Event is a real transition of an EKS object: Started is when the call
// that began it was made, At when it happened, Noticed when a caller first
// saw it (zero if none has yet).
type Event struct {
	Kind    string    `json:"kind"`
	Cluster string    `json:"cluster"`
	Name    string    `json:"name"`
	Event   string    `json:"event"` // ACTIVE or gone
	Started time.Time `json:"started"`
	At      time.Time `json:"at"`
	Noticed time.Time `json:"noticed,omitzero"`
	// Key is the access key of the call that made the object, so that
	// callers running side by side can tell their objects apart.
	Key string `json:"key,omitempty"`
}

// Events lists the transitions that have happened, oldest first.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	var out []Event
	for _, l := range s.history {
		if at, ok := l.activeAt(); ok && !at.After(now) && (l.Deleted.IsZero() || !at.After(l.Deleted)) {
			out = append(out, Event{l.Kind, l.Cluster, l.Name, "ACTIVE", l.Created, at, l.noticedActive, l.Key})
		}
		if !l.Deleted.IsZero() && !l.Deleted.Add(l.DeleteFor).After(now) {
			out = append(out, Event{l.Kind, l.Cluster, l.Name, "gone", l.Deleted, l.Deleted.Add(l.DeleteFor), l.noticedGone, l.Key})
		}
	}
	out = append(out, s.waitEvents(now)...)
	sortEvents(out)
	return out
}

func decode(body []byte) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return m
}
