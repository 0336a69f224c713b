package server

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/terrax/terraform-provider-fargate/localeks/awsproxy"
	"github.com/terrax/terraform-provider-fargate/provider/eksauth"
)

// accessOps are the access entry calls localeks answers itself (moto has none).
var accessOps = []string{"CreateAccessEntry", "DescribeAccessEntry", "ListAccessEntries", "UpdateAccessEntry",
	"DeleteAccessEntry", "AssociateAccessPolicy", "DisassociateAccessPolicy", "ListAssociatedAccessPolicies"}

// accessBefore checks CreateCluster's accessConfig and notes its creator,
// and answers the access entry APIs; it reports whether it answered.
func (s *Server) accessBefore(w http.ResponseWriter, r *http.Request, c awsproxy.Call) bool {
	switch {
	case c.Op == "CreateCluster":
		body := decode(c.Body)
		ca := &clusterAccess{mode: eksauth.AuthModeConfigMap, bootstrap: true} // EKS API defaults
		if ac, ok := body["accessConfig"].(map[string]any); ok {
			if m, ok := ac["authenticationMode"].(string); ok {
				if _, known := eksauth.AuthModeRank[m]; !known {
					eksError(w, http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf("Unsupported authentication mode: %s", m))
					return true
				}
				ca.mode = m
			}
			if b, ok := ac["bootstrapClusterCreatorAdminPermissions"].(bool); ok {
				ca.bootstrap = b
			}
		}
		if ca.mode == eksauth.AuthModeConfigMap && !ca.bootstrap {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", "bootstrapClusterCreatorAdminPermissions must be true if cluster authentication mode is set to CONFIG_MAP")
			return true
		}
		ca.creator, _ = s.callerPrincipal(r.Context(), c.AccessKey)
		name, _ := body["name"].(string)
		s.acc.mu.Lock()
		s.acc.pending[name] = ca
		s.acc.mu.Unlock()
		return false
	case c.Op == "ListAccessPolicies":
		out := []map[string]string{}
		for _, n := range eksauth.AccessPolicyNames() {
			out = append(out, map[string]string{"name": n, "arn": eksauth.AccessPolicyARN(n)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"accessPolicies": out})
		return true
	case slices.Contains(accessOps, c.Op):
		s.accessAPI(w, r, c)
		return true
	}
	return false
}

// accessAPI answers the access entry and association calls, with EKS's errors.
func (s *Server) accessAPI(w http.ResponseWriter, r *http.Request, c awsproxy.Call) {
	body := decode(c.Body)
	principal := c.Name
	if c.Op == "CreateAccessEntry" {
		principal, _ = body["principalArn"].(string)
		if !eksauth.PrincipalPattern.MatchString(principal) {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf("The specified principalArn is invalid: %s", principal))
			return
		}
		if err := s.principalExists(r.Context(), principal); err != nil {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
			return
		}
	}
	now := time.Now()
	a := s.acc
	a.mu.Lock()
	defer a.mu.Unlock()
	ca := a.clusters[c.Cluster]
	if ca == nil {
		eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("No cluster found for name: %s.", c.Cluster))
		return
	}
	if ca.mode == eksauth.AuthModeConfigMap {
		eksError(w, http.StatusBadRequest, "InvalidRequestException", "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.")
		return
	}
	if c.Op == "ListAccessEntries" {
		listEntries(w, r, ca)
		return
	}
	e := ca.entries[principal]
	if c.Op == "CreateAccessEntry" {
		if e != nil {
			eksError(w, http.StatusConflict, "ResourceInUseException", "The specified access entry resource is already in use on this cluster.")
			return
		}
		typ, _ := body["type"].(string)
		if typ == "" {
			typ = "STANDARD"
		}
		e = newEntry(s.opt.Region, c.Cluster, principal, typ, now)
		if msg := e.set(body); msg != "" {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", msg)
			return
		}
		ca.entries[principal] = e
		writeJSON(w, http.StatusOK, e.view(c.Cluster))
		return
	}
	if e == nil {
		eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("The specified principalArn could not be found: %s", principal))
		return
	}
	switch c.Op {
	case "DescribeAccessEntry":
		writeJSON(w, http.StatusOK, e.view(c.Cluster))
	case "UpdateAccessEntry":
		if msg := e.set(body); msg != "" {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", msg)
			return
		}
		e.modified = now
		writeJSON(w, http.StatusOK, e.view(c.Cluster))
	case "DeleteAccessEntry":
		delete(ca.entries, principal)
		writeJSON(w, http.StatusOK, map[string]any{})
	case "AssociateAccessPolicy":
		as, msg := association_(body, e.typ, now)
		if msg != "" {
			eksError(w, http.StatusBadRequest, "InvalidParameterException", msg)
			return
		}
		if old := e.policies[as.policy]; old != nil {
			as.associated = old.associated // an association again replaces the scope
		}
		e.policies[as.policy] = as
		writeJSON(w, http.StatusOK, map[string]any{"clusterName": c.Cluster, "principalArn": principal, "associatedAccessPolicy": as.view()})
	case "DisassociateAccessPolicy":
		parts := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
		policy, _ := url.PathUnescape(parts[len(parts)-1])
		if e.policies[policy] == nil {
			eksError(w, http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf("The specified policyArn %s is not associated with principalArn %s", policy, principal))
			return
		}
		delete(e.policies, policy)
		writeJSON(w, http.StatusOK, map[string]any{})
	case "ListAssociatedAccessPolicies":
		out := []map[string]any{}
		for _, p := range slices.Sorted(maps.Keys(e.policies)) {
			out = append(out, e.policies[p].view())
		}
		writeJSON(w, http.StatusOK, map[string]any{"clusterName": c.Cluster, "principalArn": principal, "associatedAccessPolicies": out})
	}
}

func listEntries(w http.ResponseWriter, r *http.Request, ca *clusterAccess) {
	q := r.URL.Query()
	names := []string{}
	for _, p := range slices.Sorted(maps.Keys(ca.entries)) {
		if pol := q.Get("associatedPolicyArn"); pol == "" || ca.entries[p].policies[pol] != nil {
			names = append(names, p)
		}
	}
	page, next, err := paginate(q, len(names))
	if err != nil {
		eksError(w, http.StatusBadRequest, "InvalidParameterException", err.Error())
		return
	}
	resp := map[string]any{"accessEntries": names[page[0]:page[1]]}
	if next != "" {
		resp["nextToken"] = next
	}
	writeJSON(w, http.StatusOK, resp)
}

// set applies CreateAccessEntry's or UpdateAccessEntry's fields; the message is EKS's refusal.
func (e *accessEntry) set(body map[string]any) string {
	if gs, ok := body["kubernetesGroups"].([]any); ok {
		groups := []string{}
		for _, g := range gs {
			name := fmt.Sprint(g)
			if strings.HasPrefix(name, "system:") {
				return fmt.Sprintf("The kubernetes group name %s is invalid, it cannot start with system:", name)
			}
			groups = append(groups, name)
		}
		if e.typ != "STANDARD" && len(groups) > 0 {
			return fmt.Sprintf("Kubernetes groups cannot be specified for access entries of type %s", e.typ)
		}
		e.groups = groups
	}
	if u, ok := body["username"].(string); ok && u != "" {
		e.username = u
	}
	if tags, ok := body["tags"].(map[string]any); ok {
		for k, v := range tags {
			e.tags[k] = fmt.Sprint(v)
		}
	}
	if !slices.Contains(eksauth.AccessEntryTypes, e.typ) {
		return fmt.Sprintf("The access entry type %s is invalid", e.typ)
	}
	return ""
}

// association_ reads AssociateAccessPolicy's request.
func association_(body map[string]any, typ string, now time.Time) (*association, string) {
	policy, _ := body["policyArn"].(string)
	if _, ok := eksauth.AccessPolicies[eksauth.AccessPolicyName(policy)]; !ok || !strings.HasPrefix(policy, eksauth.AccessPolicyARNPrefix) {
		return nil, fmt.Sprintf("The specified policyArn is invalid: %s", policy)
	}
	if typ != "STANDARD" {
		return nil, fmt.Sprintf("Access policies cannot be associated with access entries of type %s", typ)
	}
	scope, _ := body["accessScope"].(map[string]any)
	as := &association{policy: policy, associated: now, modify: now}
	as.scope, _ = scope["type"].(string)
	nss, _ := scope["namespaces"].([]any)
	for _, n := range nss {
		as.namespaces = append(as.namespaces, fmt.Sprint(n))
	}
	switch {
	case as.scope == "cluster" && len(as.namespaces) > 0:
		return nil, "Namespaces cannot be specified for an access scope of type cluster"
	case as.scope == "namespace" && len(as.namespaces) == 0:
		return nil, "At least one namespace must be specified for an access scope of type namespace"
	case as.scope != "cluster" && as.scope != "namespace":
		return nil, fmt.Sprintf("The access scope type %q is invalid: use cluster or namespace", as.scope)
	}
	for _, n := range as.namespaces {
		if !eksauth.NamespacePattern.MatchString(n) {
			return nil, fmt.Sprintf("The namespace %s is invalid", n)
		}
	}
	return as, ""
}

// principalExists asks moto's IAM for the user or role, as EKS asks IAM.
func (s *Server) principalExists(ctx context.Context, principal string) error {
	if strings.Contains(principal, ":role/") {
		if err := s.checkRole(ctx, principal); err != nil {
			return fmt.Errorf("The specified principalArn is invalid: invalid principal (%v)", err)
		}
		return nil
	}
	name := principal[strings.LastIndex(principal, "/")+1:]
	_, err := s.iam.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	if nse := (*iamtypes.NoSuchEntityException)(nil); errors.As(err, &nse) {
		return fmt.Errorf("The specified principalArn is invalid: invalid principal (no IAM user %s)", name)
	}
	return err
}
