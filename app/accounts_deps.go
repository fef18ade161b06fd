package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/account/openid"
	"github.com/cnr-numerique/concertation/app/config"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/mail"
	"github.com/cnr-numerique/concertation/app/metrics"
	"github.com/cnr-numerique/concertation/app/ratelimit"
)

// accountParts are the account dependencies of the web server.
type accountParts struct {
	mailer  mail.Mailer
	mailbox *mail.Mailbox // local runs only
	limiter *ratelimit.Limiter
	oidc    *openid.Registry
}

// newAccountParts builds the mailer (the durable outbox, delivered by a
// worker started here through SMTP when SMTP_URL is set, else to the local
// mailbox), the rate limiter (the defaults with the RATE_LIMITS overrides of
// cfg) and the OpenID Connect providers of cfg.
func newAccountParts(ctx context.Context, cfg config.Config, log *slog.Logger, d *db.DB) (accountParts, error) {
	var p accountParts
	outbox := mail.NewOutbox(d, log)
	p.mailer = outbox
	var transport mail.Transport
	if cfg.SMTPURL != "" {
		m, err := mail.NewSMTP(cfg.SMTPURL)
		if err != nil {
			return p, &exitError{2, err}
		}
		transport = m
	} else {
		p.mailbox = mail.NewMailbox(log)
		transport = p.mailbox
		if cfg.Local() {
			log.Info("mail: no SMTP_URL, mails are kept in the local mailbox", "url", cfg.BaseURL.String()+"/dev/mails")
		} else {
			log.Warn("mail: no SMTP_URL, mails are only written to the log")
		}
	}
	go outbox.Run(ctx, transport)
	metrics.WatchMailOutbox(d.SQL())
	metrics.WatchStatements(db.Statements)
	rules, err := rateLimitRules(cfg)
	if err != nil {
		return p, &exitError{2, fmt.Errorf("configuration : %w", err)}
	}
	p.limiter = ratelimit.New(d, rules, nil)
	var cfgs []openid.Config
	for _, c := range cfg.OIDCProviders {
		cfgs = append(cfgs, openid.Config{OIDCProvider: c})
		log.Info("openid provider", "name", c.Name, "issuer", c.Issuer)
	}
	p.oidc, err = openid.NewRegistry(cfgs, cfg.BaseURL)
	if err != nil {
		return p, &exitError{2, fmt.Errorf("configuration : %w", err)}
	}
	go discoverProviders(ctx, log, p.oidc)
	go purgeAccounts(ctx, log, d, p.limiter)
	return p, nil
}

// discoverProviders fetches the OpenID providers' metadata at start-up,
// retrying the failures (5 s, then doubling up to 5 min) until all are
// known or ctx ends: the pages' CSP lets the sign-in and sign-out forms go
// only to discovered providers.
func discoverProviders(ctx context.Context, log *slog.Logger, reg *openid.Registry) {
	wait := 5 * time.Second
	for {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := reg.Discover(dctx)
		cancel()
		if err == nil || ctx.Err() != nil {
			return
		}
		log.Warn("openid: discovery failed, retrying", "in", wait, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Minute)
	}
}

// rateLimitRules are the rate limiter's default rules with the RATE_LIMITS
// overrides of cfg; an unknown rule name is an error naming RATE_LIMITS.
func rateLimitRules(cfg config.Config) (ratelimit.Rules, error) {
	rules, err := ratelimit.WithOverrides(ratelimit.DefaultRules, cfg.RateLimits)
	if err != nil {
		return nil, &config.Error{Var: "RATE_LIMITS", Reason: err.Error()}
	}
	return rules, nil
}

// purgeAccounts deletes expired sessions, tokens and rate-limit counters
// every hour until ctx ends. Running on every instance is harmless.
func purgeAccounts(ctx context.Context, log *slog.Logger, d *db.DB, limiter *ratelimit.Limiter) {
	sessions, accounts := account.NewSessions(d, nil), account.NewStore(d)
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := sessions.Purge(ctx)
		if err == nil {
			_, err = accounts.PurgeTokens(ctx, time.Now())
		}
		if err == nil {
			err = limiter.Purge(ctx)
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("purge of expired sessions and tokens", "err", err)
			continue
		}
		log.Debug("expired sessions purged", "sessions", n)
	}
}
