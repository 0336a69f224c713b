package cluster

import (
	"context"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/children"
	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/launchtemplate"
	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
)

// fakeTemplates stands for EC2's launch templates beside the fake EKS.
type fakeTemplates struct{}

func (fakeTemplates) Ensure(_ context.Context, ng string, disk int64) (launchtemplate.Template, error) {
	return launchtemplate.Template{ID: "lt-" + ng, Version: "1", DiskSize: disk}, nil
}
func (fakeTemplates) Find(context.Context, string, string) (launchtemplate.Template, error) {
	return launchtemplate.Template{}, &apierr.NotFoundError{What: "launch template"}
}
func (fakeTemplates) Delete(context.Context, string) error { return nil }

var _ children.Templates = fakeTemplates{}
