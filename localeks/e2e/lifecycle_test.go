package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
)

// setPace sets localeks' pace through its admin API; the one before comes
// back when the test ends.
func setPace(t *testing.T, p shaping.Pace) {
	t.Helper()
	prev := env.Server.Shaper.Pace()
	b, _ := json.Marshal(p)
	req, _ := http.NewRequest(http.MethodPut, env.URL+"/_localeks/pace", bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("setting the pace: %v %v", err, resp)
	}
	resp.Body.Close()
	t.Cleanup(func() { env.Server.Shaper.SetPace(prev) })
}

// addonState waits for the add-on's status and returns the add-on.
func addonState(t *testing.T, ctx context.Context, e *eks.Client, cluster, name string, want ekstypes.AddonStatus) *ekstypes.Addon {
	t.Helper()
	return waitFor(t, fmt.Sprintf("the %s add-on %s", name, want), func() (*ekstypes.Addon, bool, error) {
		out, err := e.DescribeAddon(ctx, &eks.DescribeAddonInput{ClusterName: aws.String(cluster), AddonName: aws.String(name)})
		if err != nil {
			return nil, false, err
		}
		return out.Addon, out.Addon.Status == want, nil
	})
}

// nodegroupState waits for the node group's status and returns it.
func nodegroupState(t *testing.T, ctx context.Context, e *eks.Client, cluster, name string, want ekstypes.NodegroupStatus) *ekstypes.Nodegroup {
	t.Helper()
	return waitFor(t, fmt.Sprintf("node group %s %s", name, want), func() (*ekstypes.Nodegroup, bool, error) {
		out, err := e.DescribeNodegroup(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(name)})
		if err != nil {
			return nil, false, err
		}
		return out.Nodegroup, out.Nodegroup.Status == want, nil
	})
}

// waitFor reads an object until it is as wanted, for up to a minute.
func waitFor[T any](t *testing.T, what string, read func() (*T, bool, error)) *T {
	t.Helper()
	var v *T
	eventually(t, 60*time.Second, what, func() error {
		got, ok, err := read()
		if err == nil && !ok {
			err = fmt.Errorf("now %+v", got)
		}
		v = got
		return err
	})
	return v
}

func profileActive(t *testing.T, ctx context.Context, e *eks.Client, cluster, name string) {
	t.Helper()
	must(t, eks.NewFargateProfileActiveWaiter(e, func(o *eks.FargateProfileActiveWaiterOptions) {
		o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second
	}).
		Wait(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(name)}, time.Minute))
}

// TestLifecycle: EKS's pace, add-on health, node group health, and what a
// deleted Fargate profile does to its pods, on one Fargate-only cluster
// that gets a node group late.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	const name = "lifecycle"

	// The default pace: EKS's durations compressed (a cluster "takes 10
	// minutes or more": https://docs.aws.amazon.com/eks/latest/userguide/create-cluster.html).
	resp, err := http.Get(env.URL + "/_localeks/pace")
	must(t, err)
	var pace shaping.Pace
	must(t, json.NewDecoder(resp.Body).Decode(&pace))
	resp.Body.Close()
	if pace.Off || pace.Compression != shaping.DefaultCompression {
		t.Fatalf("default pace %+v, want on at %dx", pace, shaping.DefaultCompression)
	}
	resp, err = http.Get(env.URL + "/_localeks/shaping")
	must(t, err)
	var inForce shaping.Config
	must(t, json.NewDecoder(resp.Body).Decode(&inForce))
	resp.Body.Close()
	if want := 10 * time.Minute / shaping.DefaultCompression; inForce.ClusterCreate.Duration != want {
		t.Fatalf("shaping in force: cluster_create %s, want %s", inForce.ClusterCreate, want)
	}
	start := time.Now()
	cl := newCluster(t, ctx, name, 0)
	if d, want := time.Since(start), 10*time.Minute/shaping.DefaultCompression; d < want {
		t.Fatalf("cluster ACTIVE after %s, want 10 min compressed, %s, at least", d, want)
	}
	k := adminKube(t, ctx, cl)

	// One Fargate profile operation at a time per cluster, pace on: the
	// second is refused while the first is CREATING (CreateFargateProfile,
	// https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateFargateProfile.html).
	fp := func(profile string, sel ekstypes.FargateProfileSelector) *eks.CreateFargateProfileInput {
		return &eks.CreateFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String(profile),
			PodExecutionRoleArn: aws.String(eksRole), Subnets: []string{"subnet-a"}, Selectors: []ekstypes.FargateProfileSelector{sel}}
	}
	// At 30x profiles are CREATING for 3-5 s: the second call surely meets the first.
	prev := env.Server.Shaper.Pace()
	env.Server.Shaper.SetPace(shaping.Pace{Compression: 30})
	_, err = e.CreateFargateProfile(ctx, fp("fp-system", ekstypes.FargateProfileSelector{Namespace: aws.String("kube-system"), Labels: map[string]string{"k8s-app": "kube-dns"}}))
	must(t, err)
	shop := fp("fp-shop", ekstypes.FargateProfileSelector{Namespace: aws.String("shop")})
	_, err = e.CreateFargateProfile(ctx, shop, noRetry)
	refused(t, "a second profile while one is CREATING", err, "ResourceInUseException", "currently has Fargate profile fp-system in status CREATING")
	profileActive(t, ctx, e, name, "fp-system")
	_, err = e.CreateFargateProfile(ctx, shop)
	must(t, err)
	profileActive(t, ctx, e, name, "fp-shop")
	env.Server.Shaper.SetPace(prev)

	t.Run("add-ons are CREATING until their pods are Ready, DEGRADED while they cannot run", func(t *testing.T) {
		// "Amazon EKS add-ons" and DescribeAddon's health.issues
		// (https://docs.aws.amazon.com/eks/latest/APIReference/API_AddonIssue.html):
		// CoreDNS keeps its ec2 compute type without computeType, and this
		// cluster has no EC2 node.
		out, err := e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("coredns")})
		must(t, err)
		if out.Addon.Status != ekstypes.AddonStatusCreating {
			t.Fatalf("CreateAddon answered %s, want CREATING", out.Addon.Status)
		}
		a := addonState(t, ctx, e, name, "coredns", ekstypes.AddonStatusDegraded)
		if a.Health == nil || len(a.Health.Issues) != 1 || a.Health.Issues[0].Code != ekstypes.AddonIssueCodeInsufficientNumberOfReplicas ||
			!strings.Contains(aws.ToString(a.Health.Issues[0].Message), "desired number of replicas") {
			t.Fatalf("DEGRADED CoreDNS reports %+v, want InsufficientNumberOfReplicas", a.Health)
		}
		_, err = e.UpdateAddon(ctx, &eks.UpdateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("coredns"),
			ConfigurationValues: aws.String(`{"computeType":"Fargate"}`)})
		must(t, err)
		// A new cluster's CoreDNS has no compute-type annotation, so the
		// change does not roll it: restart it, as the user guide says
		// (https://docs.aws.amazon.com/eks/latest/userguide/fargate-getting-started.html).
		must(t, k.CoreV1().Pods("kube-system").DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "k8s-app=kube-dns"}))
		if a := addonState(t, ctx, e, name, "coredns", ekstypes.AddonStatusActive); len(a.Health.Issues) != 0 {
			t.Fatalf("ACTIVE CoreDNS with issues %+v", a.Health.Issues)
		}
		if pods, _ := podsOn(ctx, k, "kube-system", "k8s-app=kube-dns"); len(pods) != 2 {
			t.Fatalf("ACTIVE CoreDNS with Running pods %v, want 2", pods)
		}
		// The EBS CSI controller runs on EC2 only: DEGRADED until a node group comes.
		_, err = e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("aws-ebs-csi-driver")})
		must(t, err)
		addonState(t, ctx, e, name, "aws-ebs-csi-driver", ekstypes.AddonStatusDegraded)
	})

	t.Run("a Fargate pod is Pending with the fargate-scheduler for 30-60 s, compressed", func(t *testing.T) {
		// "Fargate Pod configuration" (https://docs.aws.amazon.com/eks/latest/userguide/fargate-pod-configuration.html):
		// each pod gets its own node first. At 10x, 3-6 s.
		setPace(t, shaping.Pace{Compression: 10})
		_, err := k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}}, metav1.CreateOptions{})
		must(t, err)
		_, err = k.AppsV1().Deployments("shop").Create(ctx, deployment("shop", "web", map[string]string{"app": "web"}, 2, ""), metav1.CreateOptions{})
		must(t, err)
		time.Sleep(2 * time.Second)
		pods, err := k.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{})
		must(t, err)
		for _, p := range pods.Items {
			if p.Spec.SchedulerName != "fargate-scheduler" || p.Spec.NodeName != "" || p.Status.Phase != corev1.PodPending {
				t.Fatalf("pod %s after 2 s: scheduler %s, node %q, %s; want Pending for the fargate-scheduler", p.Name, p.Spec.SchedulerName, p.Spec.NodeName, p.Status.Phase)
			}
		}
		if len(pods.Items) != 2 {
			t.Fatalf("%d pods, want 2", len(pods.Items))
		}
		eventually(t, 30*time.Second, "both web pods Running on Fargate", func() error {
			n, err := fargateNodes(ctx, k, "fp-shop")
			if on, _ := podsOn(ctx, k, "shop", "app=web"); len(on) != 2 || n != 2 {
				return fmt.Errorf("pods %v, %d Fargate nodes: %v", on, n, err)
			}
			return nil
		})
	})

	t.Run("deleting a Fargate profile deletes the pods it placed", func(t *testing.T) {
		// "Delete a Fargate profile" (https://docs.aws.amazon.com/eks/latest/userguide/delete-fargate-profile.html):
		// its pods are deleted; their Deployment makes them again, Pending
		// with no profile to select them.
		before, err := k.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{})
		must(t, err)
		_, err = e.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(name), FargateProfileName: aws.String("fp-shop")})
		must(t, err)
		eventually(t, 30*time.Second, "the web pods replaced, Pending off Fargate", func() error {
			return replacedPending(ctx, k, before.Items)
		})
		eventually(t, 30*time.Second, "the profile's Fargate nodes gone", func() error {
			if n, err := fargateNodes(ctx, k, "fp-shop"); n != 0 || err != nil {
				return fmt.Errorf("%d nodes: %v", n, err)
			}
			return nil
		})
	})

	t.Run("node groups end CREATE_FAILED or turn DEGRADED with EKS's issues", func(t *testing.T) {
		// API reference, "Issue" (https://docs.aws.amazon.com/eks/latest/APIReference/API_Issue.html).
		setShaping(t, shaping.Config{NodegroupIssues: map[string]string{"ng-broken": "AsgInstanceLaunchFailures"}})
		_, err := e.CreateNodegroup(ctx, nodegroup(name, "ng-broken", "subnet-a"))
		must(t, err)
		ng := nodegroupState(t, ctx, e, name, "ng-broken", ekstypes.NodegroupStatusCreateFailed)
		if ng.Health == nil || len(ng.Health.Issues) != 1 || ng.Health.Issues[0].Code != ekstypes.NodegroupIssueCodeAsgInstanceLaunchFailures {
			t.Fatalf("CREATE_FAILED node group reports %+v", ng.Health)
		}
		setShaping(t, shaping.Config{NodegroupFailRate: 1})
		_, err = e.CreateNodegroup(ctx, nodegroup(name, "ng-unlucky", "subnet-a"))
		must(t, err)
		ng = nodegroupState(t, ctx, e, name, "ng-unlucky", ekstypes.NodegroupStatusCreateFailed)
		if ng.Health.Issues[0].Code != ekstypes.NodegroupIssueCodeNodeCreationFailure {
			t.Fatalf("failed node group reports %+v", ng.Health)
		}
		setShaping(t, shaping.Config{})
		_, err = e.CreateNodegroup(ctx, nodegroup(name, "ng", "subnet-a"))
		must(t, err)
		nodegroupState(t, ctx, e, name, "ng", ekstypes.NodegroupStatusActive)
		// The failed node groups have no nodes; the EBS controller finds the new one.
		eventually(t, 30*time.Second, "nodes of ng only", func() error {
			nodes, err := k.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "eks.amazonaws.com/nodegroup"})
			if err != nil || len(nodes.Items) != 1 || nodes.Items[0].Labels["eks.amazonaws.com/nodegroup"] != "ng" {
				return fmt.Errorf("%d node group nodes: %v", len(nodes.Items), err)
			}
			return nil
		})
		addonState(t, ctx, e, name, "aws-ebs-csi-driver", ekstypes.AddonStatusActive)
		setShaping(t, shaping.Config{NodegroupIssues: map[string]string{"ng": "InstanceLimitExceeded"}})
		ng = nodegroupState(t, ctx, e, name, "ng", ekstypes.NodegroupStatusDegraded)
		if ng.Health.Issues[0].Code != ekstypes.NodegroupIssueCodeInstanceLimitExceeded {
			t.Fatalf("DEGRADED node group reports %+v", ng.Health)
		}
		setShaping(t, shaping.Config{})
		nodegroupState(t, ctx, e, name, "ng", ekstypes.NodegroupStatusActive)
	})

	// Leave nothing running: node groups, then the profile, then the cluster.
	deleteChildren(t, ctx, e, name, []string{"ng-broken", "ng-unlucky", "ng"}, []string{"fp-system"})
}

// replacedPending: none of the pods before is left, and their
// replacements are Pending with kube-scheduler, unschedulable.
func replacedPending(ctx context.Context, k kubernetes.Interface, before []corev1.Pod) error {
	now, err := k.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	old := map[string]bool{}
	for _, p := range before {
		old[string(p.UID)] = true
	}
	if len(now.Items) != 2 {
		return fmt.Errorf("%d pods", len(now.Items))
	}
	for _, p := range now.Items {
		if old[string(p.UID)] {
			return fmt.Errorf("pod %s still there", p.Name)
		}
		if p.Spec.SchedulerName == "fargate-scheduler" || p.Spec.NodeName != "" || p.Status.Phase != corev1.PodPending {
			return fmt.Errorf("pod %s: scheduler %s, node %q, %s", p.Name, p.Spec.SchedulerName, p.Spec.NodeName, p.Status.Phase)
		}
	}
	return nil
}

// deleteChildren deletes node groups (at once) and Fargate profiles (one
// at a time, as EKS takes them) and waits until all are gone, so that the
// cluster can go.
func deleteChildren(t *testing.T, ctx context.Context, e *eks.Client, cluster string, nodegroups, profiles []string) {
	t.Helper()
	for _, n := range nodegroups {
		_, err := e.DeleteNodegroup(ctx, &eks.DeleteNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(n)})
		must(t, err)
	}
	for _, p := range profiles {
		_, err := e.DeleteFargateProfile(ctx, &eks.DeleteFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(p)})
		must(t, err)
		must(t, eks.NewFargateProfileDeletedWaiter(e, func(o *eks.FargateProfileDeletedWaiterOptions) {
			o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second
		}).
			Wait(ctx, &eks.DescribeFargateProfileInput{ClusterName: aws.String(cluster), FargateProfileName: aws.String(p)}, time.Minute))
	}
	for _, n := range nodegroups {
		must(t, eks.NewNodegroupDeletedWaiter(e, func(o *eks.NodegroupDeletedWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
			Wait(ctx, &eks.DescribeNodegroupInput{ClusterName: aws.String(cluster), NodegroupName: aws.String(n)}, time.Minute))
	}
}
