// Package encryption owns the KMS key the resource makes, when asked
// (secrets_encryption), to envelope-encrypt the cluster's Kubernetes
// Secrets: rotation on, alias alias/eks/<name>, the owner tag, and a key
// policy that gives the key to the account's IAM policies and nothing
// else. Destroy deletes the alias and schedules the key for deletion (KMS
// deletes keys only after a waiting period). A key the user brings is
// never touched.
package encryption

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
	"github.com/terrax/terraform-provider-fargate/provider/internal/eksrules"
	"github.com/terrax/terraform-provider-fargate/provider/internal/finder"
	"github.com/terrax/terraform-provider-fargate/provider/internal/owned"
)

// Key is the secrets encryption key of one cluster.
type Key struct {
	c     *conns.Client
	owner owned.Owner
	alias string
}

// New returns the key of the cluster of owner.
func New(c *conns.Client, owner owned.Owner) *Key {
	return &Key{c: c, owner: owner, alias: eksrules.SecretsKeyAlias(owner.Cluster)}
}

// Policy is the key policy of a key the resource makes: the account (its
// IAM policies, among them EKS's service-linked use through the cluster
// role's grants) and no one else, so the key never reaches outside it.
func Policy(partition, account string) string {
	b, _ := json.Marshal(map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":       "AccountIAMPolicies",
			"Effect":    "Allow",
			"Principal": map[string]string{"AWS": fmt.Sprintf("arn:%s:iam::%s:root", partition, account)},
			"Action":    "kms:*",
			"Resource":  "*",
		}},
	})
	return string(b)
}

// Ensure makes the key (or finds the one an earlier apply made) and
// returns its ARN.
func (k *Key) Ensure(ctx context.Context) (string, error) {
	md, err := finder.KeyByAlias(ctx, k.c.KMS, k.alias)
	if err == nil {
		mine, terr := k.owns(ctx, aws.ToString(md.KeyId))
		if terr != nil {
			return "", terr
		}
		if !mine || md.KeyState == kmstypes.KeyStatePendingDeletion {
			return "", fmt.Errorf("KMS alias %s already names key %s, which this resource did not make (or which is pending deletion); "+
				"delete the alias, or bring that key with secrets_encryption_key_arn", k.alias, aws.ToString(md.Arn))
		}
		return aws.ToString(md.Arn), nil
	}
	if !apierr.NotFound(err) {
		return "", err
	}
	var tags []kmstypes.Tag
	for key, v := range k.owner.TagsWith(nil) {
		tags = append(tags, kmstypes.Tag{TagKey: aws.String(key), TagValue: aws.String(v)})
	}
	account, partition := k.c.Caller()
	out, err := k.c.KMS.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String(fmt.Sprintf("Kubernetes Secrets of EKS cluster %s (%s)", k.owner.Cluster, k.owner.Region)),
		KeySpec:     kmstypes.KeySpecSymmetricDefault,
		KeyUsage:    kmstypes.KeyUsageTypeEncryptDecrypt,
		Policy:      aws.String(Policy(partition, account)),
		Tags:        tags,
	})
	if err != nil {
		return "", fmt.Errorf("creating the KMS key for the Secrets of EKS cluster %q: %w", k.owner.Cluster, err)
	}
	id, arn := aws.ToString(out.KeyMetadata.KeyId), aws.ToString(out.KeyMetadata.Arn)
	if _, err = k.c.KMS.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)}); err == nil {
		_, err = k.c.KMS.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(k.alias), TargetKeyId: aws.String(id)})
	}
	if err != nil {
		// Without its alias nothing would find the key again: give it up.
		_, derr := k.c.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(eksrules.KeyDeletionWindowDays)})
		return "", errors.Join(fmt.Errorf("setting up KMS key %s (rotation, alias %s): %w", arn, k.alias, err), derr)
	}
	return arn, nil
}

// Find returns the ARN of the key the resource made ("" when none).
func (k *Key) Find(ctx context.Context) (string, error) {
	md, err := finder.KeyByAlias(ctx, k.c.KMS, k.alias)
	if apierr.NotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return aws.ToString(md.Arn), nil
}

// Delete removes the alias and schedules the key for deletion, when the
// resource made it.
func (k *Key) Delete(ctx context.Context) error {
	md, err := finder.KeyByAlias(ctx, k.c.KMS, k.alias)
	if apierr.NotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	id := aws.ToString(md.KeyId)
	if mine, err := k.owns(ctx, id); err != nil || !mine {
		return err
	}
	if _, err := k.c.KMS.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String(k.alias)}); err != nil && !apierr.IsA[*kmstypes.NotFoundException](err) {
		return fmt.Errorf("deleting KMS alias %s: %w", k.alias, err)
	}
	if md.KeyState == kmstypes.KeyStatePendingDeletion {
		return nil
	}
	_, err = k.c.KMS.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(eksrules.KeyDeletionWindowDays)})
	if err != nil {
		return fmt.Errorf("scheduling the deletion of KMS key %s: %w", aws.ToString(md.Arn), err)
	}
	return nil
}

func (k *Key) owns(ctx context.Context, id string) (bool, error) {
	p := kms.NewListResourceTagsPaginator(k.c.KMS, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return false, fmt.Errorf("reading the tags of KMS key %s: %w", id, err)
		}
		for _, t := range out.Tags {
			if aws.ToString(t.TagKey) == owned.Tag {
				return aws.ToString(t.TagValue) == k.owner.Value(), nil
			}
		}
	}
	return false, nil
}

// UpdateTags sets and removes tags of the key the resource made.
func (k *Key) UpdateTags(ctx context.Context, set map[string]string, remove []string) error {
	arn, err := k.Find(ctx)
	if err != nil || arn == "" {
		return err
	}
	if len(remove) > 0 {
		if _, err := k.c.KMS.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(arn), TagKeys: remove}); err != nil {
			return fmt.Errorf("untagging KMS key %s: %w", arn, err)
		}
	}
	if len(set) > 0 {
		var tags []kmstypes.Tag
		for key, v := range set {
			tags = append(tags, kmstypes.Tag{TagKey: aws.String(key), TagValue: aws.String(v)})
		}
		if _, err := k.c.KMS.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(arn), Tags: tags}); err != nil {
			return fmt.Errorf("tagging KMS key %s: %w", arn, err)
		}
	}
	return nil
}
