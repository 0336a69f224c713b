package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// TestNetworkTiming: with shaping on, a NAT gateway is pending, then
// available, and deleting, then deleted, for the windows set, and holds its
// subnet until deleted; a cluster's network interfaces hold its subnets
// until a while after the cluster is gone (DependencyViolation, as in EC2).
func TestNetworkTiming(t *testing.T) {
	ctx := context.Background()
	const key = "AKIDNETTIMING"
	e := eksClient(key)
	c := ec2.New(ec2.Options{Region: "eu-west-1", BaseEndpoint: aws.String(env.URL), Credentials: e.Options().Credentials})
	setShaping(t, shaping.Config{
		NATGatewayCreate: shaping.Duration{Duration: 2 * time.Second}, NATGatewayDelete: shaping.Duration{Duration: 2 * time.Second},
		ClusterDelete: shaping.Duration{Duration: time.Second}, ClusterENIRelease: shaping.Duration{Duration: 2 * time.Second},
	})
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.77.0.0/16")})
	must(t, err)
	subnet := func(cidr, zone string) string {
		sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(zone)})
		must(t, err)
		return aws.ToString(sn.Subnet.SubnetId)
	}
	public, private, privateB := subnet("10.77.0.0/24", "eu-west-1a"), subnet("10.77.1.0/24", "eu-west-1a"), subnet("10.77.2.0/24", "eu-west-1b")
	deleteSubnet := func(id string) string {
		_, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(id)}, func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
		if err != nil && code(err) == "" {
			t.Fatal(err)
		}
		return code(err)
	}
	natState := func(id string) ec2types.NatGatewayState {
		out, err := c.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{id}})
		must(t, err)
		return out.NatGateways[0].State
	}

	t.Run("NAT gateway pending, then available; deleting, then deleted", func(t *testing.T) {
		eip, err := c.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: ec2types.DomainTypeVpc})
		must(t, err)
		start := time.Now()
		nat, err := c.CreateNatGateway(ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(public), AllocationId: eip.AllocationId})
		must(t, err)
		id := aws.ToString(nat.NatGateway.NatGatewayId)
		if nat.NatGateway.State != ec2types.NatGatewayStatePending || natState(id) != ec2types.NatGatewayStatePending {
			t.Fatalf("a new NAT gateway is %s, want pending", natState(id))
		}
		eventually(t, 5*time.Second, "NAT gateway available", func() error {
			if st := natState(id); st != ec2types.NatGatewayStateAvailable {
				return fmt.Errorf("NAT gateway %s is %s", id, st)
			}
			return nil
		})
		if took := time.Since(start); took < 2*time.Second {
			t.Fatalf("the NAT gateway was available after %s, before its 2s window", took)
		}
		if got := deleteSubnet(public); got != "DependencyViolation" {
			t.Fatalf("deleting the NAT gateway's subnet: %q, want DependencyViolation", got)
		}
		_, err = c.DeleteNatGateway(ctx, &ec2.DeleteNatGatewayInput{NatGatewayId: aws.String(id)})
		must(t, err)
		if st := natState(id); st != ec2types.NatGatewayStateDeleting {
			t.Fatalf("a deleted NAT gateway is %s, want deleting for its window", st)
		}
		if got := deleteSubnet(public); got != "DependencyViolation" {
			t.Fatalf("deleting the subnet of a deleting NAT gateway: %q, want DependencyViolation", got)
		}
		time.Sleep(2100 * time.Millisecond)
		if st := natState(id); st != ec2types.NatGatewayStateDeleted {
			t.Fatalf("after its window the NAT gateway is %s, want deleted", st)
		}
		if got := deleteSubnet(public); got != "" {
			t.Fatalf("deleting the subnet once the NAT gateway is deleted: %s", got)
		}
		var evs []struct{ Kind, Name, Event, Key string }
		resp, err := http.Get(env.URL + "/_localeks/events")
		must(t, err)
		defer resp.Body.Close()
		must(t, json.NewDecoder(resp.Body).Decode(&evs))
		seen := map[string]bool{}
		for _, ev := range evs {
			if ev.Kind == "natgateway" && ev.Name == id && ev.Key == key {
				seen[ev.Event] = true
			}
		}
		if !seen["ACTIVE"] || !seen["gone"] {
			t.Fatalf("events of NAT gateway %s: %v, want its ACTIVE and gone transitions with the caller's key", id, seen)
		}
	})

	t.Run("a cluster's network interfaces hold its subnets until released", func(t *testing.T) {
		name := "eni-release"
		_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks"),
			ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{private, privateB}}})
		must(t, err)
		if got := deleteSubnet(private); got != "DependencyViolation" {
			t.Fatalf("deleting a subnet of a live cluster: %q, want DependencyViolation", got)
		}
		_, err = e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)})
		must(t, err)
		deleted := time.Now()
		eventually(t, 5*time.Second, "cluster gone", func() error {
			if _, err := e.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}); code(err) != "ResourceNotFoundException" {
				return fmt.Errorf("cluster %s still there (%v)", name, err)
			}
			return nil
		})
		if got := deleteSubnet(private); got != "DependencyViolation" {
			t.Fatalf("deleting a subnet right after its cluster is gone: %q, want DependencyViolation while the interfaces linger", got)
		}
		eventually(t, 5*time.Second, "subnet deleted", func() error {
			if got := deleteSubnet(private); got != "" {
				return fmt.Errorf("DeleteSubnet: %s", got)
			}
			return nil
		})
		if took := time.Since(deleted); took < 3*time.Second {
			t.Fatalf("the subnet could be deleted %s after DeleteCluster, before the cluster's 1s and the interfaces' 2s", took)
		}
		if got := deleteSubnet(privateB); got != "" {
			t.Fatalf("DeleteSubnet %s: %s", privateB, got)
		}
	})
	_, err = c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: vpc.Vpc.VpcId})
	must(t, err)
}
