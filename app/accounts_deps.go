package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
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
// mailbox), the rate limiter (RATE_LIMITS overrides the defaults, e.g.
// "signin:ip=30/15m,signup:ip=10/1h") and the OpenID Connect providers
// (OIDC_PROVIDERS and OIDC_<NAME>_…).
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
	rules, err := ratelimit.ParseRules(os.Getenv("RATE_LIMITS"), ratelimit.DefaultRules)
	if err != nil {
		return p, &exitError{2, fmt.Errorf("RATE_LIMITS : %w", err)}
	}
	p.limiter = ratelimit.New(d, rules, nil)
	cfgs, err := openid.LoadConfigs(os.Getenv)
	if err != nil {
		return p, &exitError{2, fmt.Errorf("configuration : %w", err)}
	}
	p.oidc, err = openid.NewRegistry(cfgs, cfg.BaseURL)
	if err != nil {
		return p, &exitError{2, fmt.Errorf("configuration : %w", err)}
	}
	for _, c := range cfgs {
		log.Info("openid provider", "name", c.Name, "issuer", c.Issuer)
	}
	go purgeAccounts(ctx, log, d, p.limiter)
	return p, nil
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
