package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/rightsize/rightsize/internal/load"
	"github.com/rightsize/rightsize/internal/render"
)

func main() {
	debug.SetGCPercent(400)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		t0 := time.Now()
		app, err := load.Load([]string{os.Args[1]}, load.Options{})
		if err != nil {
			panic(err)
		}
		t1 := time.Now()
		docs, err := render.EncodeAll(app.Objects, render.YAML)
		if err != nil {
			panic(err)
		}
		t2 := time.Now()
		files := make([]render.File, len(docs))
		for i, o := range app.Objects {
			files[i] = render.File{Path: render.FileName(i, o, render.YAML), Data: docs[i]}
		}
		if err := render.WriteFiles(ctx, fmt.Sprintf("%s-%d-%d", os.Args[2], os.Getpid(), i), files, render.DirOptions{}); err != nil {
			panic(err)
		}
		t3 := time.Now()
		fmt.Println("load", t1.Sub(t0), "encode", t2.Sub(t1), "write", t3.Sub(t2))
	}
}
