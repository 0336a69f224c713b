// Package e2e tests localeks as its users see it: plain AWS SDK calls to
// make an EKS cluster, client-go with an EKS token to use it.
package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"

	"github.com/terrax/terraform-provider-fargate/localeks/harness"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

var env *harness.Env

// sharedTrust lets EKS, Fargate and EC2 assume the tests' role "eks".
const sharedTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Service":` +
	`["eks.amazonaws.com","eks-fargate-pods.amazonaws.com","ec2.amazonaws.com"]}}]}`

func TestMain(m *testing.M) {
	var err error
	log, _ := os.CreateTemp("", "localeks-e2e-*.log")
	env, err = harness.Start(log)
	if err != nil {
		fmt.Fprintln(os.Stderr, "localeks:", err)
		os.Exit(1)
	}
	// The role the tests give EKS: EKS refuses a role that does not exist or
	// does not trust the service using it.
	if _, err := iamClient().CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String("eks"), AssumeRolePolicyDocument: aws.String(sharedTrust)}); err != nil {
		fmt.Fprintln(os.Stderr, "creating the tests' IAM role:", err)
		env.Stop()
		os.Exit(1)
	}
	code := m.Run()
	env.Stop()
	if code == 0 {
		_ = os.Remove(log.Name())
	} else {
		fmt.Fprintln(os.Stderr, "localeks log:", log.Name())
	}
	os.Exit(code)
}

// TestBlog recreates the blog on localeks.
func TestBlog(t *testing.T) {
	ctx := context.Background()
	e := eksClient("AKIDCREATOR")
	name := "terrax-fargate"
	role := "arn:aws:iam::123456789012:role/eks"

	start := time.Now()
	_, err := e.CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(name), RoleArn: aws.String(role),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-a", "subnet-b"}}})
	must(t, err)
	out, err := eks.NewClusterActiveWaiter(e, func(o *eks.ClusterActiveWaiterOptions) { o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second }).
		WaitForOutput(ctx, &eks.DescribeClusterInput{Name: aws.String(name)}, time.Minute)
	must(t, err)
	cl := out.Cluster
	t.Logf("control plane ACTIVE after %s at %s", time.Since(start).Round(time.Millisecond), aws.ToString(cl.Endpoint))
	// Made without a version: EKS's default one, as the EKS API reference
	// (CreateCluster) says, not moto's 1.19.
	if v := aws.ToString(cl.Version); v != "1.35" {
		t.Fatalf("a cluster made without a version reports %q, want EKS's default 1.35", v)
	}
	if time.Since(start) > 30*time.Second || !strings.HasPrefix(aws.ToString(cl.Endpoint), "https://127.0.0.1:") {
		t.Fatalf("cluster ACTIVE after %s at %q: want a loopback endpoint within 30s", time.Since(start), aws.ToString(cl.Endpoint))
	}

	_, err = e.CreateNodegroup(ctx, &eks.CreateNodegroupInput{ClusterName: aws.String(name), NodegroupName: aws.String("node-group"),
		NodeRole: aws.String(role), Subnets: []string{"subnet-a"}, InstanceTypes: []string{"t2.medium"},
		ScalingConfig: &ekstypes.NodegroupScalingConfig{DesiredSize: aws.Int32(1), MinSize: aws.Int32(1), MaxSize: aws.Int32(2)}})
	must(t, err)
	for _, fp := range []*eks.CreateFargateProfileInput{
		{FargateProfileName: aws.String("fp-default"), Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("default")}, {Namespace: aws.String("kube-system")}}},
		{FargateProfileName: aws.String("fp-demo-service"), Selectors: []ekstypes.FargateProfileSelector{{Namespace: aws.String("tb-demo"), Labels: map[string]string{"app": "service"}}}},
	} {
		fp.ClusterName, fp.PodExecutionRoleArn, fp.Subnets = aws.String(name), aws.String(role), []string{"subnet-a"}
		_, err := e.CreateFargateProfile(ctx, fp)
		must(t, err)
		// EKS runs one profile operation at a time per cluster.
		profileActive(t, ctx, e, name, aws.ToString(fp.FargateProfileName))
	}

	tok, err := eksauth.NewToken(ctx, stsClient("AKIDCREATOR"), name)
	must(t, err)
	k := kube(t, cl, tok.Value)

	t.Run("bad token is 401", func(t *testing.T) {
		for _, bad := range []string{"k8s-aws-v1.bm90LWEtdXJs", "not-even-eks"} {
			_, err := kube(t, cl, bad).CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
			if !apierrors.IsUnauthorized(err) {
				t.Errorf("token %q: err = %v, want 401 Unauthorized", bad, err)
			}
		}
		// Another principal (an IAM user with its own key; another key of
		// moto's default user would be the creator, as for STS).
		im := iamClient()
		_, err := im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("blog-stranger")})
		must(t, err)
		key, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("blog-stranger")})
		must(t, err)
		other, err := eksauth.NewToken(ctx, stsAs(aws.Credentials{AccessKeyID: aws.ToString(key.AccessKey.AccessKeyId),
			SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey)}), name)
		must(t, err)
		if _, err := kube(t, cl, other.Value).CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); !apierrors.IsUnauthorized(err) {
			t.Errorf("another identity without access: err = %v, want 401 as EKS answers", err)
		}
	})

	t.Run("CoreDNS starts on the node group", func(t *testing.T) {
		// Without the compute-type annotation that once kept it off Fargate:
		// current EKS's user guide ("Get started with AWS Fargate for your
		// cluster", https://docs.aws.amazon.com/eks/latest/userguide/fargate-getting-started.html,
		// step 4) moves CoreDNS with a profile and a restart, no patch.
		d, err := k.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
		must(t, err)
		if v, ok := d.Spec.Template.Annotations["eks.amazonaws.com/compute-type"]; ok {
			t.Fatalf("CoreDNS's pod template has eks.amazonaws.com/compute-type: %s, which current EKS does not put there", v)
		}
		eventually(t, 60*time.Second, "CoreDNS Running on the node group node", func() error {
			pods, err := podsOn(ctx, k, "kube-system", "k8s-app=kube-dns")
			if err != nil || len(pods) != 2 {
				return fmt.Errorf("pods %v: %v", pods, err)
			}
			for p, n := range pods {
				if !strings.HasPrefix(n, "ip-") {
					return fmt.Errorf("%s on %s", p, n)
				}
			}
			return nil
		})
	})

	ns := "tb-demo"
	_, err = k.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
	must(t, err)
	// EKS makes EBS volumes only with the aws-ebs-csi-driver add-on and credentials for its controller.
	ebsWithPodIdentity(t, ctx, name, k)
	// An Immediate volume lands in a zone of the driver's choosing, and only
	// nodes there can use it: the blog's class is pinned to the zone of the
	// node group's node (eu-west-1a), where MySQL runs.
	tbGP2 := ebsClass("tb-gp2", "ebs.csi.aws.com", storagev1.VolumeBindingImmediate, "eu-west-1a")
	tbGP2.Parameters["type"] = "gp2"
	_, err = k.StorageV1().StorageClasses().Create(ctx, tbGP2, metav1.CreateOptions{})
	must(t, err)

	t.Run("Immediate binds at once, WaitForFirstConsumer when its pod is scheduled", func(t *testing.T) {
		_, err := k.CoreV1().PersistentVolumeClaims(ns).Create(ctx, claim(ns, "mysql-data-disk", "tb-gp2"), metav1.CreateOptions{})
		must(t, err)
		_, err = k.CoreV1().PersistentVolumeClaims(ns).Create(ctx, claim(ns, "lazy", "gp2"), metav1.CreateOptions{})
		must(t, err)
		eventually(t, 30*time.Second, "the Immediate claim bound", func() error {
			c, err := k.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "mysql-data-disk", metav1.GetOptions{})
			if err != nil || c.Status.Phase != corev1.ClaimBound {
				return fmt.Errorf("phase %v: %v", c.Status.Phase, err)
			}
			return nil
		})
		time.Sleep(2 * time.Second)
		c, err := k.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "lazy", metav1.GetOptions{})
		must(t, err)
		if c.Status.Phase != corev1.ClaimPending {
			t.Fatalf("a WaitForFirstConsumer claim without a pod is %s, want Pending", c.Status.Phase)
		}
		_, err = k.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "lazy-user", map[string]string{"app": "lazy"}, 1, "lazy"), metav1.CreateOptions{})
		must(t, err)
		eventually(t, 60*time.Second, "the WaitForFirstConsumer claim bound once its pod was scheduled", func() error {
			c, err := k.CoreV1().PersistentVolumeClaims(ns).Get(ctx, "lazy", metav1.GetOptions{})
			if err != nil || c.Status.Phase != corev1.ClaimBound {
				return fmt.Errorf("phase %v: %v", c.Status.Phase, err)
			}
			_, err = podsOn(ctx, k, ns, "app=lazy")
			return err
		})
	})

	t.Run("MySQL on the node group, the service on Fargate, scaling 2-4-1", func(t *testing.T) {
		_, err := k.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "mysql", map[string]string{"app": "database"}, 1, "mysql-data-disk"), metav1.CreateOptions{})
		must(t, err)
		svc := deployment(ns, "springboot-deployment", map[string]string{"app": "service"}, 2, "")
		_, err = k.AppsV1().Deployments(ns).Create(ctx, svc, metav1.CreateOptions{})
		must(t, err)
		_, err = k.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "springboot-service", Namespace: ns},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Selector: map[string]string{"app": "service"},
				Ports: []corev1.ServicePort{{Port: 80}}}}, metav1.CreateOptions{})
		must(t, err)
		eventually(t, 60*time.Second, "MySQL Running on the node group node", func() error {
			pods, err := podsOn(ctx, k, ns, "app=database")
			if err != nil || len(pods) != 1 {
				return fmt.Errorf("%v %v", pods, err)
			}
			for _, n := range pods {
				node, err := k.CoreV1().Nodes().Get(ctx, n, metav1.GetOptions{})
				if err != nil || node.Labels["eks.amazonaws.com/nodegroup"] != "node-group" {
					return fmt.Errorf("on %s (%v)", n, err)
				}
			}
			return nil
		})
		for _, replicas := range []int32{2, 4, 1} {
			// The deployment controller writes the object too: scale as kubectl does, retrying on a conflict.
			must(t, retry.RetryOnConflict(retry.DefaultRetry, func() error {
				d, err := k.AppsV1().Deployments(ns).Get(ctx, "springboot-deployment", metav1.GetOptions{})
				if err != nil {
					return err
				}
				d.Spec.Replicas = &replicas
				_, err = k.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{})
				return err
			}))
			eventually(t, 60*time.Second, fmt.Sprintf("%d service pods, each on its own Fargate node", replicas), func() error {
				pods, err := podsOn(ctx, k, ns, "app=service")
				if err != nil {
					return err
				}
				nodes := map[string]bool{}
				for _, n := range pods {
					if !strings.HasPrefix(n, "fargate-ip-") {
						return fmt.Errorf("a service pod on %s", n)
					}
					nodes[n] = true
				}
				count, err := fargateNodes(ctx, k, "fp-demo-service")
				if len(pods) != int(replicas) || len(nodes) != int(replicas) || count != int(replicas) {
					return fmt.Errorf("%d pods on %d nodes, %d Fargate nodes of the profile (%v)", len(pods), len(nodes), count, err)
				}
				return nil
			})
		}
		eventually(t, 30*time.Second, "the LoadBalancer Service gets an AWS-shaped host name", func() error {
			s, err := k.CoreV1().Services(ns).Get(ctx, "springboot-service", metav1.GetOptions{})
			if err != nil || len(s.Status.LoadBalancer.Ingress) == 0 || !strings.HasSuffix(s.Status.LoadBalancer.Ingress[0].Hostname, ".eu-west-1.elb.amazonaws.com") {
				return fmt.Errorf("%+v %v", s.Status.LoadBalancer, err)
			}
			return nil
		})
	})

	t.Run("a stateful pod selected by Fargate stays Pending with Fargate's message", func(t *testing.T) {
		_, err := k.CoreV1().PersistentVolumeClaims(ns).Create(ctx, claim(ns, "wrong-place", "tb-gp2"), metav1.CreateOptions{})
		must(t, err)
		_, err = k.AppsV1().Deployments(ns).Create(ctx, deployment(ns, "stateful-service", map[string]string{"app": "service", "tier": "stateful"}, 1, "wrong-place"), metav1.CreateOptions{})
		must(t, err)
		eventually(t, 60*time.Second, "the Fargate refusal event", func() error {
			evs, err := k.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				return err
			}
			for _, ev := range evs.Items {
				if strings.HasPrefix(ev.InvolvedObject.Name, "stateful-service-") &&
					strings.HasPrefix(ev.Message, "Pod not supported on Fargate: volumes not supported: data is of an unsupported volume Type") {
					return nil
				}
			}
			return fmt.Errorf("no such event among %d", len(evs.Items))
		})
		pods, err := k.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "tier=stateful"})
		must(t, err)
		if len(pods.Items) != 1 || pods.Items[0].Status.Phase != corev1.PodPending || pods.Items[0].Spec.NodeName != "" {
			t.Fatalf("the stateful pod should stay Pending and unbound: %+v", pods.Items)
		}
	})

	t.Run("CoreDNS moves to Fargate with the coredns add-on", func(t *testing.T) {
		_, err := e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("coredns"),
			ConfigurationValues: aws.String(`{"computeType":"Fargate"}`)})
		must(t, err)
		// Pods already running stay where they are until restarted, as the
		// user guide's "Get started with AWS Fargate" step 4 says.
		_, err = k.AppsV1().Deployments("kube-system").Patch(ctx, "coredns", types.StrategicMergePatchType,
			[]byte(`{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"now"}}}}}`), metav1.PatchOptions{})
		must(t, err)
		eventually(t, 90*time.Second, "CoreDNS on two Fargate nodes", func() error {
			pods, err := podsOn(ctx, k, "kube-system", "k8s-app=kube-dns")
			if err != nil || len(pods) != 2 {
				return fmt.Errorf("%v %v", pods, err)
			}
			var nodes []string
			for _, n := range pods {
				if !strings.HasPrefix(n, "fargate-ip-") {
					return fmt.Errorf("CoreDNS still on %s", n)
				}
				nodes = append(nodes, n)
			}
			sort.Strings(nodes)
			if nodes[0] == nodes[1] {
				return fmt.Errorf("both on %s", nodes[0])
			}
			return nil
		})
		// ACTIVE once its Deployment reports the pods Ready.
		addonState(t, ctx, e, name, "coredns", ekstypes.AddonStatusActive)
		if _, err := e.CreateAddon(ctx, &eks.CreateAddonInput{ClusterName: aws.String(name), AddonName: aws.String("coredns")}); err == nil {
			t.Fatal("a second coredns add-on was accepted")
		}
	})

	t.Run("deleting the cluster frees its ports", func(t *testing.T) {
		deleteChildren(t, ctx, e, name, []string{"node-group"}, []string{"fp-default", "fp-demo-service"})
		_, err := e.DeleteCluster(ctx, &eks.DeleteClusterInput{Name: aws.String(name)})
		must(t, err)
		host := strings.TrimPrefix(aws.ToString(cl.Endpoint), "https://")
		eventually(t, 20*time.Second, "the apiserver port closed", func() error {
			c, err := net.DialTimeout("tcp", host, time.Second)
			if err == nil {
				_ = c.Close()
				return fmt.Errorf("%s still accepts connections", host)
			}
			return nil
		})
	})
}
