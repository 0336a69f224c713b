// Package conns builds the AWS clients the provider uses from its
// configuration: region, shared-config profile, assumed role, emulator
// endpoints and default tags. The SDK's own credential chain and its
// AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> variables work unchanged;
// endpoints set in the provider block win over them.
package conns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	clb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terrax/terraform-provider-fargate/provider/internal/topology"
)

// AssumeRole is the role the provider assumes before calling AWS.
type AssumeRole struct {
	RoleARN     string
	SessionName string
	ExternalID  string
}

// Endpoints overrides service endpoints, e.g. for moto or LocalStack. URL
// applies to every service without its own entry.
type Endpoints struct {
	URL, EKS, IAM, EC2, STS, ELB string
}

func (e Endpoints) for_(service string) string {
	// Classic ELB and ELBv2 share one AWS endpoint (elasticloadbalancing).
	if v := map[string]string{"eks": e.EKS, "iam": e.IAM, "ec2": e.EC2, "sts": e.STS, "elbv2": e.ELB, "elb": e.ELB}[service]; v != "" {
		return v
	}
	return e.URL
}

// Config is the provider's configuration, already read from HCL.
type Config struct {
	Region      string
	Profile     string
	AssumeRole  *AssumeRole
	Endpoints   Endpoints
	DefaultTags map[string]string
	// MaxRetries bounds the SDK's retries of throttled or failed calls.
	MaxRetries int
	// Timing is how often to poll and retry; zero means DefaultTiming.
	Timing Timing
	// CheckLater checks the credentials with STS only when needed: for the
	// caller's account (unless an ARN of theirs said it, LearnAccount), or
	// when a call is refused for its credentials, which then fails with the
	// check's error. A plan that calls no AWS API makes no call. Credentials
	// that cannot be found at all still fail New.
	CheckLater bool
}

// Client holds the service clients and what is known about the caller.
type Client struct {
	EKS *eks.Client
	IAM *iam.Client
	EC2 *ec2.Client
	STS *sts.Client
	// ELB finds and deletes the load balancers Kubernetes made in a VPC
	// about to be deleted.
	ELB *elb.Client
	// CLB does the same for the Classic ELBs EKS's legacy cloud controller
	// makes for plain LoadBalancer Services.
	CLB *clb.Client
	// Logs holds the control plane's log group; KMS the key that
	// envelope-encrypts Kubernetes Secrets.
	Logs *cloudwatchlogs.Client
	KMS  *kms.Client

	// AWS is the resolved SDK configuration (credentials, region), kept for
	// presigning EKS authentication tokens.
	AWS    aws.Config
	Region string
	// AccountID, Partition and CallerARN are the caller's, from STS: read
	// them through Caller when the Client was made with CheckLater.
	AccountID string
	Partition string
	CallerARN string
	identity  *identityCheck

	DefaultTags map[string]string

	// Topology is what this provider process knows of each cluster's
	// layout during the current plan or apply.
	Topology *topology.Registry

	// Timing is how often every waiter polls and every retry tries again.
	Timing Timing
}

// New resolves credentials, checks them with STS GetCallerIdentity (at
// once, or with CheckLater when needed) and returns the clients.
// Every error says what to change.
func New(ctx context.Context, c Config) (*Client, error) {
	maxRetries := c.MaxRetries
	if maxRetries == 0 {
		maxRetries = 10
	}
	opts := []func(*config.LoadOptions) error{
		// Every retry (throttling, 5xx, timeouts) is logged to Terraform's log.
		config.WithClientLogMode(aws.LogRetries),
		config.WithLogger(sdkLogger{}),
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxRetries
				o.MaxBackoff = 20 * time.Second
				// The default token bucket stops retrying after ~100 throttled
				// calls; a long apply under throttling must wait, not fail.
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if c.Region != "" {
		opts = append(opts, config.WithRegion(c.Region))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading the AWS configuration: %w; check `profile` and the shared config/credentials files", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set `region` in the provider block or AWS_REGION in the environment")
	}

	stsClient := sts.NewFromConfig(cfg, endpoint[sts.Options](c.Endpoints, "sts"))
	if ar := c.AssumeRole; ar != nil && ar.RoleARN != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, ar.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			if ar.SessionName != "" {
				o.RoleSessionName = ar.SessionName
			}
			if ar.ExternalID != "" {
				o.ExternalID = aws.String(ar.ExternalID)
			}
		}))
		stsClient = sts.NewFromConfig(cfg, endpoint[sts.Options](c.Endpoints, "sts"))
	}

	timing := c.Timing
	if timing == (Timing{}) {
		timing = DefaultTiming()
	}
	var check *identityCheck
	if c.CheckLater {
		if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
			return nil, credentialsError(err, c)
		}
		check = &identityCheck{done: make(chan struct{})}
		cfg.APIOptions = append(cfg.APIOptions, check.middleware)
	}
	client := &Client{
		EKS:         eks.NewFromConfig(cfg, endpoint[eks.Options](c.Endpoints, "eks")),
		IAM:         iam.NewFromConfig(cfg, endpoint[iam.Options](c.Endpoints, "iam")),
		EC2:         ec2.NewFromConfig(cfg, endpoint[ec2.Options](c.Endpoints, "ec2")),
		STS:         stsClient,
		ELB:         elb.NewFromConfig(cfg, endpoint[elb.Options](c.Endpoints, "elbv2")),
		CLB:         clb.NewFromConfig(cfg, endpoint[clb.Options](c.Endpoints, "elb")),
		Logs:        cloudwatchlogs.NewFromConfig(cfg, endpoint[cloudwatchlogs.Options](c.Endpoints, "logs")),
		KMS:         kms.NewFromConfig(cfg, endpoint[kms.Options](c.Endpoints, "kms")),
		AWS:         cfg,
		Region:      cfg.Region,
		Partition:   partitionOf(cfg.Region),
		DefaultTags: c.DefaultTags,
		Topology:    topology.New(),
		Timing:      timing,
		identity:    check,
	}
	if check == nil {
		if err := identify(ctx, stsClient, c, client); err != nil {
			return nil, err
		}
		return client, nil
	}
	check.run = func(ctx context.Context) error { return identify(ctx, stsClient, c, client) }
	return client, nil
}

// endpoint returns a client option that sets the service's endpoint when the
// provider block names one; it is applied after the SDK's own resolution so
// the provider block wins over AWS_ENDPOINT_URL*.
func endpoint[O eks.Options | iam.Options | ec2.Options | sts.Options | elb.Options | clb.Options | cloudwatchlogs.Options | kms.Options](e Endpoints, service string) func(*O) {
	url := e.for_(service)
	return func(o *O) {
		if url == "" {
			return
		}
		switch o := any(o).(type) {
		case *eks.Options:
			o.BaseEndpoint = aws.String(url)
		case *iam.Options:
			o.BaseEndpoint = aws.String(url)
		case *ec2.Options:
			o.BaseEndpoint = aws.String(url)
		case *sts.Options:
			o.BaseEndpoint = aws.String(url)
		case *elb.Options:
			o.BaseEndpoint = aws.String(url)
		case *clb.Options:
			o.BaseEndpoint = aws.String(url)
		case *cloudwatchlogs.Options:
			o.BaseEndpoint = aws.String(url)
		case *kms.Options:
			o.BaseEndpoint = aws.String(url)
		}
	}
}

func credentialsError(err error, c Config) error {
	msg := err.Error()
	how := "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the provider's `profile`, or run on a machine with an instance or container role"
	switch {
	case strings.Contains(msg, "failed to retrieve credentials") || strings.Contains(msg, "no EC2 IMDS role found") || strings.Contains(msg, "get credentials"):
		return fmt.Errorf("no valid AWS credentials found: %s", how)
	case c.AssumeRole != nil && c.AssumeRole.RoleARN != "" && strings.Contains(msg, "AssumeRole"):
		return fmt.Errorf("assuming role %s failed: %s; check `assume_role` and that your identity may assume it", c.AssumeRole.RoleARN, lastLine(msg))
	default:
		return fmt.Errorf("checking AWS credentials with STS GetCallerIdentity failed: %s; %s", lastLine(msg), how)
	}
}

// lastLine keeps the innermost part of an SDK error chain, which says what AWS answered.
func lastLine(msg string) string {
	if i := strings.LastIndex(msg, ", api error "); i >= 0 {
		return "api error " + msg[i+len(", api error "):]
	}
	return msg
}

// sdkLogger sends the SDK's log lines (retries) to Terraform's log.
type sdkLogger struct{ ctx context.Context }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	ctx := l.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	msg := fmt.Sprintf(format, v...)
	if c == logging.Warn {
		tflog.Warn(ctx, "AWS SDK: "+msg)
		return
	}
	tflog.Debug(ctx, "AWS SDK: "+msg)
}

// WithContext lets the SDK log with the request's context, so the lines
// carry the provider's log fields.
func (l sdkLogger) WithContext(ctx context.Context) logging.Logger { return sdkLogger{ctx: ctx} }
