package cli

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// envDebugAddr, when set, is a loopback HOST:PORT where serve answers
// Go's profiling endpoints (/debug/pprof/): CPU profiles and goroutine
// counts for the load harness and for an operator chasing a slowdown.
const envDebugAddr = "EPIC_DEBUG_ADDR"

// serveDebug starts the profiling endpoints on addr, which must be a
// loopback address: they show the process's internals to whoever asks.
func serveDebug(addr string, a *app) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%s %q: want HOST:PORT on loopback: %w", envDebugAddr, addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%s %q: the profiling endpoints only listen on loopback", envDebugAddr, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: %w", envDebugAddr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	a.log.Info("profiling endpoints", "addr", ln.Addr().String())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	a.close = append(a.close, func() { _ = srv.Close() })
	return nil
}
