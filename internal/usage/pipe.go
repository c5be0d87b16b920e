package usage

// pipeBatch is how many samples cross to the consuming goroutine at once:
// large enough that the channel costs nothing per sample, small enough
// (about 230 KB) that memory stays flat.
const pipeBatch = 4096

// Pipe returns a Sink that hands samples, in batches and in the order they
// came, to sink on its own goroutine, so that reading (parsing) and
// consuming (accumulating) use two cores; the result is the same as calling
// sink directly. wait sends what is left, waits until sink has had every
// sample and must be called once, also when reading failed.
func Pipe(sink Sink) (put Sink, wait func()) {
	full := make(chan []Sample, 4)
	free := make(chan []Sample, 6)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range full {
			for i := range b {
				sink(b[i])
			}
			select {
			case free <- b[:0]:
			default:
			}
		}
	}()
	var cur []Sample
	put = func(s Sample) {
		if cur == nil {
			select {
			case cur = <-free:
			default:
				cur = make([]Sample, 0, pipeBatch)
			}
		}
		cur = append(cur, s)
		if len(cur) == pipeBatch {
			full <- cur
			cur = nil
		}
	}
	wait = func() {
		if len(cur) > 0 {
			full <- cur
			cur = nil
		}
		close(full)
		<-done
	}
	return put, wait
}
