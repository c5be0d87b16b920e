// Command embed analyzes, fits and verifies an app with rightsize as a
// library: go run ./examples/embed examples/shop sandbox
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/rightsize/rightsize"
)

func main() {
	ctx := context.Background()
	app, err := rightsize.LoadApp(ctx, os.Args[1:2])
	if err != nil {
		log.Fatal(err)
	}
	target, err := rightsize.LoadTarget(ctx, os.Args[2])
	if err != nil {
		log.Fatal(err)
	}
	before, _ := rightsize.Analyze(ctx, app, target)
	fitted, err := rightsize.Fit(ctx, app, target)
	if err != nil {
		log.Fatal(err)
	}
	cluster, err := rightsize.StartLocalCluster(ctx, target) // needs 'rightsize sim install'
	if err != nil {
		log.Fatal(err)
	}
	defer cluster.Stop()
	proof, err := rightsize.Verify(ctx, cluster, fitted.App, target)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fits as written: %v; %d changes; fitted app admitted whole: %v\n", before.Fits, len(fitted.Report.Changes), proof.Fits)
}
