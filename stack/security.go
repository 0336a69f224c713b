package stack

// FargateLogging ships Fargate pods' logs to CloudWatch Logs.
type FargateLogging struct {
	Enabled       *bool  `tf:"enabled,omitempty"`
	LogGroup      string `tf:"log_group,omitempty"`
	RetentionDays int    `tf:"retention_days,omitempty"`
}

// Taint keeps pods without a matching toleration off a node group's nodes;
// Effect is NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE.
type Taint struct {
	Key    string `tf:"key"`
	Value  string `tf:"value,omitempty"`
	Effect string `tf:"effect"`
}

// UpdateConfig bounds the nodes an update takes down: set exactly one.
type UpdateConfig struct {
	MaxUnavailable           int `tf:"max_unavailable,omitempty"`
	MaxUnavailablePercentage int `tf:"max_unavailable_percentage,omitempty"`
}
