// Package apierr holds what the provider knows about AWS API errors: a typed
// not-found error for finders, typed SDK errors (IsA), and error codes for
// the services whose SDK has no error types (EC2). Retrying lives in
// provider/internal/wait.
package apierr

import (
	"errors"
	"slices"
	"strings"

	"github.com/aws/smithy-go"
)

// NotFoundError is returned by finders when the object does not exist.
type NotFoundError struct {
	// What names the object, e.g. `EKS cluster "terrax-fargate"`.
	What string
	// Cause is the API error behind it, if any.
	Cause error
}

func (e *NotFoundError) Error() string { return e.What + " not found" }
func (e *NotFoundError) Unwrap() error { return e.Cause }

// NotFound reports whether err is, or wraps, a NotFoundError.
func NotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// IsA reports whether err is, or wraps, an AWS error of the SDK's type T,
// e.g. IsA[*ekstypes.ResourceNotFoundException](err). Prefer it to codes:
// the compiler checks the name. EC2 has no error types; its codes are
// constants beside the code that meets them (see ErrCodeEquals).
func IsA[T error](err error) bool {
	var t T
	return errors.As(err, &t)
}

// IsAMessageContains reports whether err is, or wraps, an AWS error of the
// SDK's type T whose message contains needle: for an error type that
// stands for several cases (ResourceInUseException "already exists").
func IsAMessageContains[T interface {
	error
	ErrorMessage() string
}](err error, needle string) bool {
	var t T
	return errors.As(err, &t) && strings.Contains(t.ErrorMessage(), needle)
}

// ErrCodeEquals reports whether err carries one of the AWS error codes, for
// services whose SDK has no error types (EC2). Name each code as a constant.
func ErrCodeEquals(err error, codes ...string) bool {
	c := Code(err)
	return c != "" && slices.Contains(codes, c)
}

// Code returns the AWS error code of err, or "".
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Message returns the AWS error message of err, or err.Error().
func Message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
