package provider

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

var (
	urlPattern = regexp.MustCompile(`^https?://[^\s]+$`)
	objectAs   = basetypes.ObjectAsOptions{UnhandledNullAsEmpty: true, UnhandledUnknownAsEmpty: true}
)
