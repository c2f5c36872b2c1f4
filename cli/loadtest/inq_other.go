//go:build !linux

package loadtest

import "net"

// unread cannot read the receive queue on this system.
func unread(net.Conn) int { return -1 }
