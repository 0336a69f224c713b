package apierr

import (
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
)

func TestIsAndNotFound(t *testing.T) {
	inUse := &smithy.GenericAPIError{Code: "ResourceInUseException", Message: "cluster x currently has Fargate profile y in status CREATING"}
	wrapped := fmt.Errorf("creating profile: %w", inUse)
	if !Is(wrapped, "ResourceInUseException") || !Is(wrapped, "ResourceInUseException", "in status") {
		t.Fatal("Is should see the wrapped code and message")
	}
	if Is(wrapped, "ResourceInUseException", "already exists") || Is(nil, "X") || Is(wrapped, "Throttling") {
		t.Fatal("Is matched what it should not")
	}
	nf := fmt.Errorf("reading: %w", &NotFoundError{What: `EKS cluster "a"`, Cause: inUse})
	if !NotFound(nf) || NotFound(wrapped) {
		t.Fatal("NotFound misclassifies")
	}
	if got := nf.Error(); got != `reading: EKS cluster "a" not found` {
		t.Fatalf("message = %q", got)
	}
}
