package rightsize_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/rightsize/rightsize"
)

func ExampleLoadApp() {
	ctx := context.Background()
	app, err := rightsize.LoadApp(ctx, []string{"examples/shop"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(app.Formats(), len(app.Objects()), "objects")
	for _, k := range app.Keys()[:2] {
		fmt.Println(k)
	}
	// Output:
	// [kubernetes] 8 objects
	// Deployment/api
	// Service/api
}

func ExampleLoadApp_optionError() {
	ctx := context.Background()
	_, err := rightsize.LoadApp(ctx, []string{"examples/shop"}, rightsize.WithHelmValues("prod.yaml"))
	fmt.Println(err)
	// Output:
	// option HelmValues: applies to Helm charts; the input is Kubernetes manifests
}

func ExampleAnalyze() {
	ctx := context.Background()
	app, err := rightsize.LoadApp(ctx, []string{"examples/shop"})
	if err != nil {
		log.Fatal(err)
	}
	t, err := rightsize.LoadTarget(ctx, "sandbox")
	if err != nil {
		log.Fatal(err)
	}
	r, err := rightsize.Analyze(ctx, app, t)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("fits:", r.Fits)
	for _, q := range r.Quotas {
		for _, k := range q.Over() {
			fmt.Printf("quota %s: %s requested %s, hard %s\n", q.Name, k, q.Requested.Name(k, "").String(), q.Hard.Name(k, "").String())
		}
	}
	for _, f := range r.Refusals {
		fmt.Printf("%s: %d pods refused\n", f.Object, f.Count)
	}
	// Output:
	// fits: false
	// quota compute: requests.cpu requested 2800m, hard 1750m
	// Deployment/frontend: 3 pods refused
}

func ExampleFit() {
	ctx := context.Background()
	app, _ := rightsize.LoadApp(ctx, []string{"examples/shop"})
	t, _ := rightsize.LoadTarget(ctx, "sandbox")
	f, err := rightsize.Fit(ctx, app, t, rightsize.WithAllow(rightsize.AllowResources))
	if err != nil {
		log.Fatal(err)
	}
	q := f.Report.Quota["requests.cpu"]
	fmt.Printf("fits: %v; requests.cpu was %s, now within %s: %v\n", f.Report.Fits, q.Before.String(), q.Hard.String(), q.Requested.Cmp(q.Hard) <= 0)
	for _, c := range f.Report.Changes[:1] {
		fmt.Println(c.Object, c.Field)
	}
	// Output:
	// fits: true; requests.cpu was 2800m, now within 1750m: true
	// Deployment/api initContainers[wait-for-db].resources.requests.cpu
}

func ExampleConvert() {
	ctx := context.Background()
	app, _ := rightsize.LoadApp(ctx, []string{"examples/shop"})
	r, err := rightsize.Convert(ctx, app)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(r.Objects), "objects,", len(r.Findings), "findings")
	// Output:
	// 8 objects, 0 findings
}

// Verify needs the control plane's binaries: 'rightsize sim install'.
func ExampleVerify() {
	ctx := context.Background()
	app, _ := rightsize.LoadApp(ctx, []string{"examples/shop"})
	t, _ := rightsize.LoadTarget(ctx, "sandbox")
	c, err := rightsize.StartLocalCluster(ctx, t)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Stop()
	r, err := rightsize.Verify(ctx, c, app, t)
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range r.Quotas {
		fmt.Println(q.Name, "status.used:", q.Used)
	}
}

func ExampleWriteReport() {
	ctx := context.Background()
	app, _ := rightsize.LoadApp(ctx, []string{"examples/shop"})
	t, _ := rightsize.LoadTarget(ctx, "edge-4cpu-4gi")
	r, _ := rightsize.Analyze(ctx, app, t)
	if err := rightsize.WriteReport(os.Stdout, "yaml", r); err != nil {
		log.Fatal(err)
	}
}

func ExampleVersion() {
	v := rightsize.Version()
	fmt.Println("control plane", v.ControlPlane)
	// Output:
	// control plane v1.37.2
}
