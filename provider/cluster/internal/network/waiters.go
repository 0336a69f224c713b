package network

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/apierr"
	"github.com/terrax/terraform-provider-fargate/provider/internal/ekswait"
	"github.com/terrax/terraform-provider-fargate/provider/internal/wait"
)

// statusVPC reads the state of a VPC.
func statusVPC(conn *ec2.Client, id string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		out, err := conn.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{id}})
		if err != nil || len(out.Vpcs) == 0 {
			return "", err
		}
		return string(out.Vpcs[0].State), nil
	}
}

// statusNATGateways reads the states of NAT gateways; none when EC2 does
// not know them.
func statusNATGateways(conn *ec2.Client, ids []string) func(context.Context) ([]ec2types.NatGatewayState, error) {
	return func(ctx context.Context) ([]ec2types.NatGatewayState, error) {
		out, err := conn.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: ids})
		if apierr.ErrCodeEquals(err, errCodeNatGatewayNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var states []ec2types.NatGatewayState
		for _, g := range out.NatGateways {
			states = append(states, g.State)
		}
		return states, nil
	}
}

func (nw *Network) waitVPCAvailable(ctx context.Context, id string) error {
	status := statusVPC(nw.c.EC2, id)
	err := wait.Until(ctx, nw.timing.Poll, func(ctx context.Context) (bool, error) {
		st, err := status(ctx)
		return st == string(ec2types.VpcStateAvailable), wait.Stop(err)
	})
	if err != nil {
		return ekswait.Hint(ctx, fmt.Errorf("waiting for VPC %s to become available: %w", id, err))
	}
	return nil
}

func (nw *Network) waitNATGatewayAvailable(ctx context.Context, id string) error {
	status := statusNATGateways(nw.c.EC2, []string{id})
	err := wait.Until(ctx, nw.timing.Poll, func(ctx context.Context) (bool, error) {
		states, err := status(ctx)
		if err != nil {
			return false, wait.Stop(err)
		}
		for _, bad := range []ec2types.NatGatewayState{ec2types.NatGatewayStateFailed, ec2types.NatGatewayStateDeleting, ec2types.NatGatewayStateDeleted} {
			if slices.Contains(states, bad) {
				return false, wait.Stop(fmt.Errorf("NAT gateway %s is %s", id, bad))
			}
		}
		return len(states) > 0 && states[0] == ec2types.NatGatewayStateAvailable, nil
	})
	if err != nil {
		return ekswait.Hint(ctx, fmt.Errorf("waiting for NAT gateway %s to become available: %w", id, err))
	}
	return nil
}

func (nw *Network) waitNATGatewaysDeleted(ctx context.Context, ids []string) error {
	status := statusNATGateways(nw.c.EC2, ids)
	err := wait.Until(ctx, nw.timing.Poll, func(ctx context.Context) (bool, error) {
		states, err := status(ctx)
		if err != nil {
			return false, wait.Stop(err)
		}
		return !slices.ContainsFunc(states, func(s ec2types.NatGatewayState) bool { return s != ec2types.NatGatewayStateDeleted }), nil
	})
	if err != nil {
		return ekswait.Hint(ctx, fmt.Errorf("waiting for NAT gateways %v to be deleted: %w", ids, err))
	}
	return nil
}

// dependencyRetry retries EC2 deletions that fail while AWS still releases
// what depends on the object (ENIs of a deleted cluster or load balancer).
// That release is the last wait on the destroy's critical path, so it is
// polled for as closely as the Fargate profiles' waits (which follow one
// another on it too), not backed off like a retry.
func (nw *Network) dependencyRetry(ctx context.Context, f func(context.Context) error) error {
	return wait.Retry(ctx, nw.timing.ProfilePoll, func(err error) bool {
		return apierr.ErrCodeEquals(err, errCodeDependencyViolation, errCodeNetworkInterfaceInUse)
	}, f)
}
