package server

import (
	"context"
	"encoding/json"
	"net/http"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/terrax/terraform-provider-fargate/localeks/shaping"
	"github.com/terrax/terraform-provider-fargate/provider/placement"
)

// pace answers /_localeks/pace: GET the pace in force, PUT a new one
// ({"off":true}, or {"compression":50}).
func (s *Server) pace(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		var p shaping.Pace
		if err := json.NewDecoder(r.Body).Decode(&p); err != nil || p.Compression < 0 {
			http.Error(w, "bad pace: want {\"off\": bool, \"compression\": factor > 0}", http.StatusBadRequest)
			return
		}
		s.Shaper.SetPace(p)
	}
	writeJSON(w, http.StatusOK, s.Shaper.Pace())
}

// evictProfilePods deletes the pods the Fargate profile placed, as EKS does
// when the profile is deleted ("Delete a Fargate profile", user guide: "any
// Pods that were scheduled onto Fargate with the profile are deleted");
// their controllers make them again, Pending unless another profile
// selects them.
func (s *Server) evictProfilePods(cl *Cluster, profile string) {
	s.withKube(cl, "deleting the pods of Fargate profile "+profile, func(ctx context.Context, k *Cluster) error {
		pods, err := k.Kube().CoreV1().Pods("").List(ctx, metav1.ListOptions{LabelSelector: placement.ProfileLabel + "=" + profile})
		if err != nil {
			return err
		}
		for _, p := range pods.Items {
			err := k.Kube().CoreV1().Pods(p.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return err
			}
		}
		s.logf("cluster %s: Fargate profile %s deleted with its %d pods", cl.Name, profile, len(pods.Items))
		return nil
	})
}
