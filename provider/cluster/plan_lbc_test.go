package cluster

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terrax/terraform-provider-fargate/provider/internal/conns"
)

// Turning the controller off while the cluster's Kubernetes API does not
// answer is refused at plan, on load_balancer_controller, saying what could
// not be read and to try again: the plan cannot tell whether Services,
// Ingresses or TargetGroupBindings still need the controller.
func TestRefuseWhileInUse_clusterCannotBeRead(t *testing.T) {
	var asked atomic.Int32
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Error(w, `{"kind":"Status","status":"Failure","message":"etcdserver: leader changed","code":503}`, http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ca := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	r := &Resource{client: &conns.Client{STS: sts.New(sts.Options{Region: "eu-west-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")})}}
	state := &clusterModel{Name: types.StringValue("down"), Endpoint: types.StringValue(srv.URL), CertificateAuthority: types.StringValue(ca)}
	var diags diag.Diagnostics
	r.refuseWhileInUse(context.Background(), state, &diags)
	if !diags.HasError() || asked.Load() == 0 {
		t.Fatalf("diagnostics %v after %d requests; want an error once the cluster was asked", diags, asked.Load())
	}
	d := diags.Errors()[0]
	p, ok := d.(diag.DiagnosticWithPath)
	if !ok || !p.Path().Equal(lbcPath) || !strings.Contains(d.Summary(), "Cannot check what needs the AWS Load Balancer Controller") ||
		!strings.Contains(d.Detail(), `EKS cluster "down"`) || !strings.Contains(d.Detail(), "Try again once the cluster answers") {
		t.Fatalf("diagnostic %q: %q (on %v)", d.Summary(), d.Detail(), p)
	}
}
