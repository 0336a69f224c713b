package controlplane

import (
	"bufio"
	"encoding/base64"
	"io"
	"sync"
)

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

var logMu sync.Mutex

// prefixed writes each line of a child's output to w with a prefix.
func prefixed(w io.Writer, prefix string) io.Writer {
	r, pw := io.Pipe()
	go func() {
		s := bufio.NewScanner(r)
		s.Buffer(make([]byte, 64*1024), 1024*1024)
		for s.Scan() {
			logMu.Lock()
			_, _ = io.WriteString(w, "["+prefix+"] "+s.Text()+"\n")
			logMu.Unlock()
		}
	}()
	return pw
}
