package conns

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// FromProviderData is the provider's client from a Configure request's
// ProviderData, as every resource, data source and ephemeral resource gets
// it (nil before the provider is configured).
func FromProviderData(providerData any, diags *diag.Diagnostics) *Client {
	if providerData == nil {
		return nil
	}
	c, ok := providerData.(*Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *conns.Client, got %T; this is a bug in the provider", providerData))
	}
	return c
}
