package cli

import (
	"net"

	"golang.org/x/sys/unix"
)

// tcpProgressOf reads, for a TCP connection, whether output waits in the
// kernel's send queue and how many bytes the client has acknowledged so
// far; nil when conn is not TCP.
func tcpProgressOf(conn net.Conn) func() (pending bool, acked uint64, ok bool) {
	tc, isTCP := conn.(*net.TCPConn)
	if !isTCP {
		return nil
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return nil
	}
	return func() (pending bool, acked uint64, ok bool) {
		_ = rc.Control(func(fd uintptr) {
			info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
			if err != nil {
				return
			}
			pending, acked, ok = info.Unacked > 0 || info.Notsent_bytes > 0, info.Bytes_acked, true
		})
		return pending, acked, ok
	}
}
