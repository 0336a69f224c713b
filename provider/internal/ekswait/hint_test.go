package ekswait

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestHint(t *testing.T) {
	base := errors.New("EKS cluster \"c\" did not become ACTIVE: status CREATING")
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	interrupted, stop := context.WithCancel(context.Background())
	stop()
	for _, c := range []struct {
		name string
		ctx  context.Context
		want string
	}{
		{"running", context.Background(), ""},
		{"update out of time", expired, "; the operation ran out of time: raise the `timeouts` of the resource, then apply again to continue"},
		{"create out of time", Creating(expired), "; the operation ran out of time: raise the `timeouts` of the resource; " + Resume},
		{"update interrupted", interrupted, "; interrupted: apply again to continue"},
		{"create interrupted", Creating(interrupted), "; interrupted: " + Resume},
	} {
		err := Hint(c.ctx, base)
		if !errors.Is(err, base) || err.Error() != base.Error()+c.want {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if !strings.Contains(Resume, "terraform untaint") {
		t.Errorf("the create hint does not say how to resume: %s", Resume)
	}
}
