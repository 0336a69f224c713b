package observed

import "maps"

// AccessEntry is an EKS access entry as read back, with its policy
// associations: policy name -> namespaces (empty: cluster scope).
type AccessEntry struct {
	PrincipalARN, Type string
	Groups             []string
	Policies           map[string][]string
}

// SetAccessEntry records the access entry of a configured name; nil records
// that it is gone.
func (r *Record) SetAccessEntry(name string, e *AccessEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.accessEntries == nil {
		r.accessEntries = map[string]AccessEntry{}
	}
	if e == nil {
		delete(r.accessEntries, name)
		return
	}
	r.accessEntries[name] = *e
}

// AccessEntries are the access entries recorded, by configured name.
func (r *Record) AccessEntries() map[string]AccessEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.accessEntries)
}
