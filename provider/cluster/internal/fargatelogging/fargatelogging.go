// Package fargatelogging turns on the logs of Fargate pods, as the EKS user
// guide's "Start AWS Fargate logging for your cluster" describes: the
// namespace aws-observability (label aws-observability: enabled) and its
// ConfigMap aws-logging, whose Fluent Bit output sends the pods' logs to a
// CloudWatch Logs group; and the CloudWatch Logs permissions Fluent Bit
// needs on the Fargate pod execution role. A role the resource made gets
// them as an inline policy; a role the user brought is checked and a
// missing permission named, since changing it is not this resource's call.
package fargatelogging

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	corev1 "k8s.io/api/core/v1"
	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
	"github.com/terrax/terraform-provider-fargate/provider/internal/roles"
	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
)

// The names Fargate looks for (user guide "Fargate logging").
const (
	Namespace  = "aws-observability"
	ConfigMap  = "aws-logging"
	labelKey   = "aws-observability"
	labelValue = "enabled"
	// PolicyName is the inline policy given to a pod execution role the
	// resource made.
	PolicyName  = "fargate-logging"
	manager     = "terraform-provider-fargate"
	outputKey   = "output.conf"
	logGroupKey = "log_group_name"
)

// Spec is what Fargate logging should be; a zero LogGroup turns it off.
type Spec struct {
	LogGroup  string
	Retention int64
}

// Logging is the Fargate logging of one cluster.
type Logging struct {
	c     *conns.Client
	owner owned.Owner
}

// New returns the Fargate logging of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Logging { return &Logging{c: c, owner: owner} }

// Output is the aws-logging ConfigMap's Fluent Bit output for group in
// region, as the user guide's CloudWatch example.
func Output(region, group string, retention int64) string {
	return fmt.Sprintf(`[OUTPUT]
    Name cloudwatch_logs
    Match *
    region %s
    %s %s
    log_stream_prefix fargate-
    log_retention_days %d
    auto_create_group true
`, region, logGroupKey, group, retention)
}

func (l *Logging) kube(ob *observed.Record) (kubernetes.Interface, error) {
	c := ob.Cluster()
	if c == nil || c.CertificateAuthority == nil {
		return nil, fmt.Errorf("Fargate logging: EKS cluster %q has no endpoint yet", l.owner.Cluster)
	}
	kc, err := kubeclient.New(l.c.STS, l.owner.Cluster, aws.ToString(c.Endpoint), aws.ToString(c.CertificateAuthority.Data))
	if err != nil {
		return nil, err
	}
	return kc.Kube, nil
}

// Permit grants a pod execution role the resource made the permissions
// to write to s's log group, or names what a role the user brought lacks.
func (l *Logging) Permit(ctx context.Context, ob *observed.Record, s Spec) error {
	return l.permit(ctx, ob.Roles().PodExecution, s.LogGroup)
}

// Apply writes the namespace and ConfigMap.
func (l *Logging) Apply(ctx context.Context, ob *observed.Record, s Spec) error {
	kc, err := l.kube(ob)
	if err != nil {
		return err
	}
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: Namespace, Labels: map[string]string{labelKey: labelValue}}}
	if _, err := kc.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{FieldManager: manager}); err != nil && !k8serrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s for Fargate logging: %w", Namespace, err)
	}
	cm := &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: ConfigMap, Namespace: Namespace},
		Data:       map[string]string{"flb_log_cw": "false", outputKey: Output(l.c.Region, s.LogGroup, s.Retention)},
	}
	_, err = kc.CoreV1().ConfigMaps(Namespace).Update(ctx, cm, metav1.UpdateOptions{FieldManager: manager})
	if k8serrors.IsNotFound(err) {
		_, err = kc.CoreV1().ConfigMaps(Namespace).Create(ctx, cm, metav1.CreateOptions{FieldManager: manager})
	}
	if err != nil {
		return fmt.Errorf("writing ConfigMap %s/%s for Fargate logging: %w", Namespace, ConfigMap, err)
	}
	ob.UpdateSecurity(func(sec *observed.Security) { sec.FargateConfigMap = true })
	return nil
}

// Remove turns Fargate logging off: the ConfigMap and namespace go, and
// the inline policy leaves a role the resource made.
func (l *Logging) Remove(ctx context.Context, ob *observed.Record) error {
	kc, err := l.kube(ob)
	if err != nil {
		return err
	}
	// The ConfigMap first: Fargate stops shipping at once, while the
	// namespace takes its time to go.
	if err := kc.CoreV1().ConfigMaps(Namespace).Delete(ctx, ConfigMap, metav1.DeleteOptions{}); err != nil && !k8serrors.IsNotFound(err) {
		return fmt.Errorf("deleting ConfigMap %s/%s (Fargate logging off): %w", Namespace, ConfigMap, err)
	}
	if err := kc.CoreV1().Namespaces().Delete(ctx, Namespace, metav1.DeleteOptions{}); err != nil && !k8serrors.IsNotFound(err) {
		return fmt.Errorf("deleting namespace %s (Fargate logging off): %w", Namespace, err)
	}
	if err := l.revoke(ctx, ob.Roles().PodExecution); err != nil {
		return err
	}
	ob.UpdateSecurity(func(sec *observed.Security) { sec.FargateConfigMap = false })
	return nil
}

// Observe records whether the ConfigMap exists and names a log group.
func (l *Logging) Observe(ctx context.Context, ob *observed.Record) error {
	kc, err := l.kube(ob)
	if err != nil {
		return err
	}
	cm, err := kc.CoreV1().ConfigMaps(Namespace).Get(ctx, ConfigMap, metav1.GetOptions{})
	if k8serrors.IsNotFound(err) {
		ob.UpdateSecurity(func(sec *observed.Security) { sec.FargateConfigMap = false })
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading ConfigMap %s/%s: %w", Namespace, ConfigMap, err)
	}
	named := outputValue(cm.Data[outputKey], logGroupKey) != ""
	ob.UpdateSecurity(func(sec *observed.Security) { sec.FargateConfigMap = named })
	return nil
}

// madeRole reports whether arn is the pod execution role this resource made.
func (l *Logging) madeRole(arn string) bool {
	return arn != "" && roleName(arn) == l.owner.RoleName(roles.PodExecution.Name)
}
