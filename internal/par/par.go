// Package par runs independent pieces of work on every CPU.
package par

import (
	"runtime"
	"sync"
)

// Each calls f(i) for every i in [0, n), on GOMAXPROCS goroutines when n is
// at least min, else in order on the caller's goroutine. Each f(i) must
// write only what belongs to i; Each returns when all have returned.
func Each(n, min int, f func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	if n < min || workers < 2 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int, n)
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	wg.Wait()
}
