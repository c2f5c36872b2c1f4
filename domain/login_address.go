package domain

import (
	"context"
	"time"
)

// Per source address login throttling, beside the per-account one: from
// addressThrottleAfter failures from one address, each next attempt from
// it waits twice as long as the previous one, up to throttleMax. The bar
// is higher than an account's because many people may share an address
// (an office behind NAT), and a success from it does not clear it (one
// user's success says nothing of another's guesses).
const addressThrottleAfter = 20

// addressKey carries the client's source address in a context.
type addressKey struct{}

// WithClientAddress returns ctx carrying the client's source address (the
// host, without the port), for the per-address login throttle.
func WithClientAddress(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, addressKey{}, addr)
}

// clientAddress is the address WithClientAddress stored ("" if none).
func clientAddress(ctx context.Context) string {
	a, _ := ctx.Value(addressKey{}).(string)
	return a
}

// addressStore is implemented by stores that count failures per address.
type addressStore interface {
	LoginAddresses() LoginRepo
}

// addressLogins is the per-address repository for this login, or nil
// when the context carries no address or the store counts none.
func (c *core) addressLogins(ctx context.Context) (LoginRepo, string) {
	addr := clientAddress(ctx)
	a, ok := c.store.(addressStore)
	if addr == "" || !ok {
		return nil, ""
	}
	return a.LoginAddresses(), addr
}

// addressThrottled answers a *ThrottledError when the address must wait,
// before any password is hashed.
func (c *core) addressThrottled(ctx context.Context, now time.Time) error {
	repo, addr := c.addressLogins(ctx)
	if repo == nil {
		return nil
	}
	st, err := repo.Get(ctx, addr)
	if err != nil {
		return wrap("login", err)
	}
	if st.Failures < addressThrottleAfter {
		return nil
	}
	wait := throttleWait(throttleAfter + st.Failures - addressThrottleAfter)
	if left := st.LastFailure.Add(wait).Sub(now); left > 0 {
		return &ThrottledError{Wait: left}
	}
	return nil
}

// addressFailed counts a failed login from the context's address.
func (c *core) addressFailed(ctx context.Context, now time.Time) error {
	repo, addr := c.addressLogins(ctx)
	if repo == nil {
		return nil
	}
	if _, err := repo.Fail(ctx, addr, now); err != nil {
		return wrap("login", err)
	}
	return nil
}
