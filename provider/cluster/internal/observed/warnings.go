package observed

// Warning is something the operation did that works, but not as the user
// would expect: the resource shows it as a warning diagnostic.
type Warning struct{ Summary, Detail string }

// Warn records a warning.
func (r *Record) Warn(summary, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.warnings = append(r.warnings, Warning{summary, detail})
}

// Warnings are the warnings recorded, oldest first.
func (r *Record) Warnings() []Warning {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Warning(nil), r.warnings...)
}
