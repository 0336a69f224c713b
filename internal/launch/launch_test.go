package launch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Root is found from any package directory, localeks' included, and is the
// provider's module, not localeks'.
func TestRoot(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "localeks", "harness"))
	again, err := Root()
	if err != nil || again != root {
		t.Fatalf("Root from localeks/harness = %q, %v; want %q", again, err, root)
	}
	t.Chdir(t.TempDir())
	if _, err := Root(); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("Root outside the repository: %v, want not found", err)
	}
}

// What serve writes, `source` and Serve read back.
func TestEnvFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env")
	if err := WriteEnvFile(path, "http://127.0.0.1:4566", "eu-west-1"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(b), "export AWS_ENDPOINT_URL=http://127.0.0.1:4566\n") {
		t.Fatalf("env file:\n%s", b)
	}
	env, err := ReadEnvFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if env["AWS_ENDPOINT_URL"] != "http://127.0.0.1:4566" || env["AWS_REGION"] != "eu-west-1" || len(env) != len(SDKEnv("", "")) {
		t.Fatalf("read back %v", env)
	}
}

// A missing moto or localeks says what to run.
func TestMissing(t *testing.T) {
	dir := t.TempDir()
	if _, err := StartMoto(filepath.Join(dir, "python"), "x.py", nil); err == nil || !strings.Contains(err.Error(), "make tools") {
		t.Fatalf("StartMoto without moto: %v", err)
	}
	if _, err := Serve(filepath.Join(dir, "localeks"), dir, nil, false); err == nil || !strings.Contains(err.Error(), "make localeks") {
		t.Fatalf("Serve without localeks: %v", err)
	}
}

// A server that ends before it is ready fails the start at once, quoting its log.
func TestEndsEarly(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "localeks")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho cannot start >&2\nexit 3\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Serve(bin, dir, nil, false)
	if err == nil || !strings.Contains(err.Error(), "ended before it was ready") || !strings.Contains(err.Error(), "cannot start") {
		t.Fatalf("Serve of a failing program: %v", err)
	}
}
