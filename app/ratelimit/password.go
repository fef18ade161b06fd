package ratelimit

import (
	"context"
	"strings"
)

// The rules of password checks (sign-in, address confirmation). They count
// failed checks only, so that they can be turned against nobody:
//
//   - RuleSignInPair, per account and address together: an address that
//     keeps failing on one account is stopped, and only that address;
//   - RuleSignInAccount, per account over every address, gentler: once an
//     account has failed too often, only the addresses that have failed on it
//     are stopped; an address that has not failed still gets to try, so the
//     right password from the person's own address always goes through;
//   - RuleSignInIP, per address over every account: stops one address trying
//     many accounts (credential stuffing).
const (
	RuleSignInPair    = "signin:pair"
	RuleSignInAccount = "signin:account"
	RuleSignInIP      = "signin:ip"
)

// PasswordCheck is the rate-limit subject of one password check.
type PasswordCheck struct {
	Account string // the normalised address typed, known account or not
	Address string // the client's IP address
}

func (p PasswordCheck) pair() string {
	return strings.ToLower(p.Account) + "\x00" + p.Address
}

// PasswordAllowed tells whether the password check p may run. It counts
// nothing: call PasswordFailed when the password was wrong. It does the same
// work whether the account exists or not.
func (l *Limiter) PasswordAllowed(ctx context.Context, p PasswordCheck) (Decision, error) {
	pair, err := l.Peek(ctx, RuleSignInPair, p.pair())
	if err != nil || !pair.Allowed {
		return pair, err
	}
	ip, err := l.Peek(ctx, RuleSignInIP, p.Address)
	if err != nil || !ip.Allowed {
		return ip, err
	}
	acc, err := l.Peek(ctx, RuleSignInAccount, strings.ToLower(p.Account))
	if err != nil || acc.Allowed {
		return acc, err
	}
	// The account is over its limit: only an address that has failed on it
	// is stopped.
	if l.failed(ctx, RuleSignInPair, p.pair()) {
		return acc, nil
	}
	return Decision{Allowed: true}, nil
}

// failed reports whether rule for subject has counted a hit in its window
// or the previous one. An error, or a rule left out of the limiter's rules
// (nothing is counted then), counts as failed: the safer answer.
func (l *Limiter) failed(ctx context.Context, rule, subject string) bool {
	lim, ok := l.rules[rule]
	if !ok {
		return true
	}
	d, err := l.peek(ctx, rule+":"+subject, Limit{Max: 1, Window: lim.Window})
	return err != nil || !d.Allowed
}

// PasswordFailed counts a wrong password of check p on the three rules.
func (l *Limiter) PasswordFailed(ctx context.Context, p PasswordCheck) error {
	for _, k := range []struct{ rule, subject string }{
		{RuleSignInPair, p.pair()}, {RuleSignInAccount, strings.ToLower(p.Account)}, {RuleSignInIP, p.Address},
	} {
		if _, err := l.Check(ctx, k.rule, k.subject); err != nil {
			return err
		}
	}
	return nil
}
