package controlplane

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/provider/cluster/internal/observed"
)

// Encryption is the request's envelope encryption of Secrets with key.
func Encryption(key string) []ekstypes.EncryptionConfig {
	return []ekstypes.EncryptionConfig{{Provider: &ekstypes.Provider{KeyArn: aws.String(key)}, Resources: []string{"secrets"}}}
}

// AssociateEncryption turns on envelope encryption of Secrets with key on
// a cluster made without it (AssociateEncryptionConfig), as terraform-
// provider-aws and eksctl do; EKS cannot undo it. As UpdateAccess, it waits
// for a running update first and sends nothing when the cluster already
// encrypts its Secrets.
func (cp *ControlPlane) AssociateEncryption(ctx context.Context, ob *observed.Record, key string) error {
	c, err := cp.wait.ClusterActive(ctx, cp.name)
	if err != nil {
		return err
	}
	if len(c.EncryptionConfig) > 0 {
		ob.SetCluster(c)
		return nil
	}
	out, err := cp.c.EKS.AssociateEncryptionConfig(ctx, &eks.AssociateEncryptionConfigInput{ClusterName: aws.String(cp.name), EncryptionConfig: Encryption(key)})
	if err != nil {
		return fmt.Errorf("turning on encryption of the Secrets of EKS cluster %q with KMS key %s: %w", cp.name, key, err)
	}
	return cp.finishUpdate(ctx, ob, out.Update)
}
