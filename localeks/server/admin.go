package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// admin is localeks' own API under /_localeks/.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_localeks/healthz":
		w.Write([]byte("ok"))
	case r.URL.Path == "/_localeks/calls" && r.Method == http.MethodDelete:
		s.mu.Lock()
		s.calls = map[string]int{}
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	case r.URL.Path == "/_localeks/calls":
		s.mu.Lock()
		defer s.mu.Unlock()
		if key := r.URL.Query().Get("key"); key != "" {
			writeJSON(w, http.StatusOK, s.callsByKey[key])
			return
		}
		writeJSON(w, http.StatusOK, s.calls)
	case r.URL.Path == "/_localeks/shaping" && r.Method == http.MethodPut:
		var c shaping.Config
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
			http.Error(w, "bad shaping configuration: "+err.Error(), http.StatusBadRequest)
			return
		}
		s.Shaper.Set(c)
		writeJSON(w, http.StatusOK, c)
	case r.URL.Path == "/_localeks/shaping":
		writeJSON(w, http.StatusOK, s.Shaper.Get())
	case r.URL.Path == "/_localeks/pace":
		s.pace(w, r)
	case r.URL.Path == "/_localeks/events":
		writeJSON(w, http.StatusOK, s.Events())
	case r.URL.Path == "/_localeks/clusters":
		s.mu.Lock()
		out := map[string]map[string]any{}
		for n, c := range s.clusters {
			out[n] = c.info()
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, out)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) count(key string) {
	s.mu.Lock()
	s.calls[key]++
	s.mu.Unlock()
}

// Calls returns the call counts per "service:Operation".
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for n := range m {
		k = append(k, n)
	}
	sort.Strings(k)
	return k
}

// LoadShaping reads a shaping configuration file.
func (s *Server) LoadShaping(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var c shaping.Config
	if err := json.Unmarshal(b, &c); err != nil {
		return fmt.Errorf("shaping file %s: %w", path, err)
	}
	s.Shaper.Set(c)
	return nil
}
