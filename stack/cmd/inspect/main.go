// Command inspect prints what the blog's screenshots showed: the nodes
// (the node group's and Fargate's), the pods and where they run, and the
// service's external address. It reads the cluster from EKS (AWS_ENDPOINT_URL
// for localeks) and authenticates with an EKS token, as kubectl would.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/provider/kubeclient"
)

func main() {
	cluster := flag.String("cluster", "terrax-fargate", "EKS cluster")
	ns := flag.String("namespace", "tb-demo", "namespace of the workloads")
	flag.Parse()
	if err := run(*cluster, *ns); err != nil {
		fmt.Fprintln(os.Stderr, "inspect:", err)
		os.Exit(1)
	}
}

func run(cluster, ns string) error {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	out, err := eks.NewFromConfig(cfg).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	if err != nil {
		return err
	}
	kc, err := kubeclient.New(sts.NewFromConfig(cfg), cluster, aws.ToString(out.Cluster.Endpoint), aws.ToString(out.Cluster.CertificateAuthority.Data))
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	defer w.Flush()

	nodes, err := kc.Kube.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "$ kubectl get nodes\nNAME\tSTATUS\tCOMPUTE\tDETAIL\n")
	sort.Slice(nodes.Items, func(i, j int) bool { return nodes.Items[i].Name < nodes.Items[j].Name })
	fargate := 0
	for _, n := range nodes.Items {
		status := "NotReady"
		for _, c := range n.Status.Conditions {
			if c.Type == "Ready" {
				if c.Status == "True" {
					status = "Ready"
				} else {
					status = "NotReady(" + c.Reason + ")"
				}
			}
		}
		compute, detail := "nodegroup", n.Labels["eks.amazonaws.com/nodegroup"]+" "+n.Labels["node.kubernetes.io/instance-type"]+" "+n.Labels["topology.kubernetes.io/zone"]
		if n.Labels["eks.amazonaws.com/compute-type"] == "fargate" {
			fargate++
			compute, detail = "fargate", "profile "+n.Labels["eks.amazonaws.com/fargate-profile"]
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", n.Name, status, compute, detail)
	}
	fmt.Fprintf(w, "(%d nodes, %d of them Fargate)\n\n", len(nodes.Items), fargate)

	fmt.Fprintf(w, "$ kubectl get pods -n %s -o wide\nNAME\tSTATUS\tNODE\n", ns)
	pods, err := kc.Kube.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, p := range pods.Items {
		fmt.Fprintf(w, "%s\t%s\t%s\n", p.Name, p.Status.Phase, p.Spec.NodeName)
	}
	claims, err := kc.Kube.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n$ kubectl get pvc -n %s\nNAME\tSTATUS\tCLASS\tVOLUME ZONE\n", ns)
	for _, c := range claims.Items {
		class, zone := "", "-"
		if c.Spec.StorageClassName != nil {
			class = *c.Spec.StorageClassName
		}
		// An EBS volume lives in one zone: the one of MySQL's node.
		if pv, err := kc.Kube.CoreV1().PersistentVolumes().Get(ctx, c.Spec.VolumeName, metav1.GetOptions{}); c.Spec.VolumeName != "" && err == nil &&
			pv.Spec.NodeAffinity != nil && pv.Spec.NodeAffinity.Required != nil {
			for _, t := range pv.Spec.NodeAffinity.Required.NodeSelectorTerms {
				for _, e := range t.MatchExpressions {
					zone = strings.Join(e.Values, ",")
				}
			}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", c.Name, c.Status.Phase, class, zone)
	}
	svcs, err := kc.Kube.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n$ kubectl get service -n %s\nNAME\tTYPE\tEXTERNAL-IP\n", ns)
	for _, s := range svcs.Items {
		var ext []string
		for _, i := range s.Status.LoadBalancer.Ingress {
			ext = append(ext, i.Hostname+i.IP)
		}
		if len(ext) == 0 {
			ext = []string{"<none>"}
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", s.Name, s.Spec.Type, strings.Join(ext, ","))
	}
	return nil
}
