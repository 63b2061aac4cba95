// Package parity holds the Go side of bench/go-vs-sluice.sh: the channel shapes of
// dev.sluice.bench.go.GoChannelBenchmark, body for body. Go's own sync and context benchmarks
// (from the standard library) are the anchors for the rest.
//
//	GOMAXPROCS=2 go test -run '^$' -bench . ./bench/go
package parity

import "testing"

func sendN(ch chan int, n int) {
	for i := 0; i < n; i++ {
		ch <- 42
	}
}

func receiveN(ch chan int, n int, done chan bool) {
	for i := 0; i < n; i++ {
		<-ch
	}
	done <- true
}

func spsc(b *testing.B, capacity int) {
	ch := make(chan int, capacity)
	done := make(chan bool)
	go sendN(ch, b.N)
	go receiveN(ch, b.N, done)
	<-done
}

// BenchmarkSpsc0 is GoChannelBenchmark.spsc0.
func BenchmarkSpsc0(b *testing.B) { spsc(b, 0) }

// BenchmarkSpsc16 is GoChannelBenchmark.spsc16.
func BenchmarkSpsc16(b *testing.B) { spsc(b, 16) }

// BenchmarkMpmc16 is GoChannelBenchmark.mpmc16: two senders, two receivers.
func BenchmarkMpmc16(b *testing.B) {
	ch := make(chan int, 16)
	done := make(chan bool)
	half := b.N / 2
	go sendN(ch, half)
	go sendN(ch, b.N-half)
	go receiveN(ch, half, done)
	go receiveN(ch, b.N-half, done)
	<-done
	<-done
}

// BenchmarkPingPong is GoChannelBenchmark.pingPong: one round trip per op.
func BenchmarkPingPong(b *testing.B) {
	ping := make(chan int)
	pong := make(chan int)
	done := make(chan bool)
	go func() {
		for i := 0; i < b.N; i++ {
			pong <- <-ping
		}
		done <- true
	}()
	for i := 0; i < b.N; i++ {
		ping <- 42
		<-pong
	}
	<-done
}

// BenchmarkSelectOneReady is GoChannelBenchmark.selectOneReady.
func BenchmarkSelectOneReady(b *testing.B) {
	idle := make(chan int, 1)
	ready := make(chan int, 1)
	ready <- 42
	for i := 0; i < b.N; i++ {
		var v int
		select {
		case v = <-idle:
		case v = <-ready:
		}
		ready <- v
	}
}
