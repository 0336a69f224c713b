package apierr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/smithy-go"
)

func TestIsAndNotFound(t *testing.T) {
	inUse := &smithy.GenericAPIError{Code: "ResourceInUseException", Message: "cluster x currently has Fargate profile y in status CREATING"}
	wrapped := fmt.Errorf("creating profile: %w", inUse)
	if !ErrCodeEquals(wrapped, "Throttling", "ResourceInUseException") || Message(wrapped) != inUse.Message {
		t.Fatal("ErrCodeEquals and Message should see the wrapped code and message")
	}
	if ErrCodeEquals(nil, "X") || ErrCodeEquals(wrapped, "Throttling") || ErrCodeEquals(errors.New("ResourceInUseException")) {
		t.Fatal("ErrCodeEquals matched what it should not")
	}
	nf := fmt.Errorf("reading: %w", &NotFoundError{What: `EKS cluster "a"`, Cause: inUse})
	if !NotFound(nf) || NotFound(wrapped) {
		t.Fatal("NotFound misclassifies")
	}
	if got := nf.Error(); got != `reading: EKS cluster "a" not found` {
		t.Fatalf("message = %q", got)
	}
}

func TestIsAMessageContains(t *testing.T) {
	inUse := fmt.Errorf("creating: %w", &ekstypes.ResourceInUseException{Message: aws.String("Fargate profile fp already exists")})
	if !IsAMessageContains[*ekstypes.ResourceInUseException](inUse, "already exists") ||
		IsAMessageContains[*ekstypes.ResourceInUseException](inUse, "in progress") ||
		IsAMessageContains[*ekstypes.ResourceNotFoundException](inUse, "already exists") {
		t.Fatal("IsAMessageContains")
	}
}
