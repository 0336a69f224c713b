package acctest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/terrax/terraform-provider-fargate/internal/launch"
)

// servers are the moto and localeks of this test binary.
type servers struct {
	moto, localeks *launch.Process
	dir            string
}

// startServers starts moto, then bin/localeks (built by `make localeks`;
// its own Go module, run as a program) in front of it.
func startServers(root string) (*servers, error) {
	moto, err := launch.StartMoto(launch.MotoPython(root), launch.MotoScript(root), nil)
	if err != nil {
		return nil, err
	}
	s := &servers{moto: moto}
	if s.dir, err = os.MkdirTemp("", "acctest-localeks-*"); err != nil {
		s.stop()
		return nil, err
	}
	args := []string{"-moto-url", moto.URL}
	if p := os.Getenv("LOCALEKS_PACE"); p != "" {
		args = append(args, "-pace", p) // e.g. "off", to measure what EKS's pace costs
	}
	s.localeks, err = launch.Serve(filepath.Join(root, "bin", "localeks"), s.dir, args, false)
	if err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// stop ends localeks (letting it stop its control planes) and moto, and
// removes localeks' files.
func (s *servers) stop() {
	s.localeks.Stop(10 * time.Second)
	s.moto.Stop(0)
	if s.dir != "" {
		_ = os.RemoveAll(s.dir)
	}
}

// Shape sets localeks' traffic shaping for one test (see localeks/shaping)
// and resets it when the test ends.
func Shape(t testing.TB, shaping map[string]any) {
	t.Helper()
	putAdmin(t, "shaping", shaping)
	t.Cleanup(func() { putAdmin(t, "shaping", map[string]any{}) })
}

// Pace sets localeks' pace for one test ({"off": true}, or {"compression":
// 50}: EKS's durations divided by 50) and restores the default when it ends.
func Pace(t testing.TB, pace map[string]any) {
	t.Helper()
	putAdmin(t, "pace", pace)
	t.Cleanup(func() { putAdmin(t, "pace", map[string]any{}) })
}

// putAdmin PUTs v to localeks' admin API /_localeks/<what>.
func putAdmin(t testing.TB, what string, v map[string]any) {
	t.Helper()
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPut, LocalEKSURL+"/_localeks/"+what, bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("setting localeks' %s: %v", what, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setting localeks' %s: %s", what, resp.Status)
	}
}

// Calls returns localeks' call counts ("service:Operation", and
// "localeks:injected-*" for the faults it injected).
func Calls(t testing.TB) map[string]int {
	t.Helper()
	resp, err := http.Get(LocalEKSURL + "/_localeks/calls")
	if err != nil {
		t.Fatalf("reading localeks' calls: %v", err)
	}
	defer resp.Body.Close()
	calls := map[string]int{}
	if err := json.NewDecoder(resp.Body).Decode(&calls); err != nil {
		t.Fatal(err)
	}
	return calls
}
