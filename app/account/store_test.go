package account_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/app/account"
	"github.com/cnr-numerique/concertation/app/db"
	"github.com/cnr-numerique/concertation/app/db/dbtest"
	"github.com/cnr-numerique/concertation/app/seed"
	"github.com/cnr-numerique/concertation/seeds"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func newStore(t *testing.T) (*account.Store, *db.DB) {
	t.Helper()
	d := dbtest.New(t)
	if err := seed.Reference(context.Background(), d, seeds.FS); err != nil {
		t.Fatal(err)
	}
	return account.NewStore(d), d
}

func signUp(email string) account.SignUp {
	return account.SignUp{Email: email, Password: "un mot de passe", Profile: account.Profile{
		DisplayName: "Alice", Category: "citoyen", DepartementCode: "29", AcceptTerms: true}}
}

func TestRegisterAndAuthenticate(t *testing.T) {
	s, _ := newStore(t)
	ctx, now := context.Background(), time.Now()
	u, created, errs, err := s.Register(ctx, signUp("Alice@Exemple.fr"), now)
	if err != nil || len(errs) > 0 || !created {
		t.Fatalf("register: %v %v %v", created, errs, err)
	}
	if _, err := s.Authenticate(ctx, "alice@exemple.fr", "un mot de passe"); !errors.Is(err, account.ErrNotVerified) {
		t.Fatalf("unverified account: %v, want ErrNotVerified", err)
	}
	if err := s.MarkVerified(ctx, u.ID, now); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"alice@exemple.fr", "ALICE@EXEMPLE.FR", " Alice@exemple.fr "} {
		if got, err := s.Authenticate(ctx, email, "un mot de passe"); err != nil || got.ID != u.ID {
			t.Errorf("Authenticate(%q) = %v, %v", email, got.ID, err)
		}
	}
	if _, err := s.Authenticate(ctx, "alice@exemple.fr", "mauvais mot de passe"); !errors.Is(err, account.ErrBadCredentials) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := s.Authenticate(ctx, "personne@exemple.fr", "un mot de passe"); !errors.Is(err, account.ErrBadCredentials) {
		t.Errorf("unknown address: %v", err)
	}
	// Same address in another case: no second account, same answer.
	again, created, errs, err := s.Register(ctx, signUp("ALICE@exemple.FR"), now)
	if err != nil || len(errs) > 0 || created || again.ID != u.ID {
		t.Errorf("second sign-up: created=%v id=%d errs=%v err=%v", created, again.ID, errs, err)
	}
	bad := signUp("pas-une-adresse")
	bad.Password, bad.Category, bad.DepartementCode, bad.AcceptTerms = "court", "inconnue", "99", false
	_, _, errs, err = s.Register(ctx, bad, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"email", "password", "category", "departement", "terms"} {
		if errs[f] == "" {
			t.Errorf("no error for field %s: %v", f, errs)
		}
	}
}

func TestTokensAreSingleUseAndExpire(t *testing.T) {
	s, d := newStore(t)
	ctx, now := context.Background(), time.Now()
	u, _, _, err := s.Register(ctx, signUp("bob@exemple.fr"), now)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.IssueToken(ctx, u.ID, account.PurposeReset, now)
	if err != nil {
		t.Fatal(err)
	}
	var stored struct{ Hash []byte }
	if err := d.Conn(ctx).Raw(`SELECT hash FROM account_tokens`).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if string(stored.Hash) == tok || len(stored.Hash) != 32 {
		t.Error("the token is stored in clear, not as its SHA-256")
	}
	if _, err := s.ConsumeToken(ctx, tok, account.PurposeVerify, now); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("token used for another purpose: %v", err)
	}
	tok, _ = s.IssueToken(ctx, u.ID, account.PurposeReset, now)
	if id, err := s.ConsumeToken(ctx, tok, account.PurposeReset, now); err != nil || id != u.ID {
		t.Fatalf("consume: %d %v", id, err)
	}
	if _, err := s.ConsumeToken(ctx, tok, account.PurposeReset, now); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("second use: %v", err)
	}
	tok, _ = s.IssueToken(ctx, u.ID, account.PurposeReset, now)
	if _, err := s.ConsumeToken(ctx, tok, account.PurposeReset, now.Add(account.ResetTTL+time.Second)); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("expired token: %v", err)
	}
	old, _ := s.IssueToken(ctx, u.ID, account.PurposeVerify, now)
	_, _ = s.IssueToken(ctx, u.ID, account.PurposeVerify, now)
	if _, err := s.ConsumeToken(ctx, old, account.PurposeVerify, now); !errors.Is(err, account.ErrTokenInvalid) {
		t.Errorf("a replaced token still works: %v", err)
	}
}

func TestSignInWithIdentity(t *testing.T) {
	s, _ := newStore(t)
	ctx, now := context.Background(), time.Now()
	id := account.Identity{Provider: "fc", Subject: "sub-1", Email: "claire@exemple.fr", EmailVerified: true, DisplayName: "Claire"}

	unverified := id
	unverified.EmailVerified = false
	if _, _, err := s.SignInWithIdentity(ctx, unverified, now); !errors.Is(err, account.ErrEmailUnverified) {
		t.Fatalf("unverified e-mail: %v", err)
	}
	u, created, err := s.SignInWithIdentity(ctx, id, now)
	if err != nil || !created || u.Category != nil || u.EmailVerifiedAt == nil || u.DisplayName != "Claire" {
		t.Fatalf("first sign-in: %+v created=%v err=%v", u, created, err)
	}
	again, created, err := s.SignInWithIdentity(ctx, unverified, now) // known subject: e-mail no longer matters
	if err != nil || created || again.ID != u.ID {
		t.Errorf("second sign-in: %d created=%v %v", again.ID, created, err)
	}

	// An existing password account with a verified address is linked.
	d, _, _, _ := s.Register(ctx, signUp("dan@exemple.fr"), now)
	_ = s.MarkVerified(ctx, d.ID, now)
	linked, created, err := s.SignInWithIdentity(ctx, account.Identity{Provider: "fc", Subject: "sub-2", Email: "DAN@exemple.fr", EmailVerified: true}, now)
	if err != nil || created || linked.ID != d.ID || linked.PasswordHash == nil {
		t.Errorf("link to verified account: %+v created=%v %v", linked, created, err)
	}

	// A squatted, never verified account loses the squatter's password and
	// what the squatter said: name, category, département, terms.
	e, _, _, _ := s.Register(ctx, signUp("eve@exemple.fr"), now)
	got, _, err := s.SignInWithIdentity(ctx, account.Identity{Provider: "fc", Subject: "sub-3", Email: "eve@exemple.fr",
		EmailVerified: true, DisplayName: "Ève"}, now)
	if err != nil || got.ID != e.ID || got.PasswordHash != nil || got.DisplayName != "Ève" || got.Category != nil ||
		got.DepartementID != nil || got.TermsAcceptedAt != nil {
		t.Errorf("link to unverified account: %+v %v", got, err)
	}
	stored, err := s.ByID(ctx, e.ID)
	if err != nil || stored.PasswordHash != nil || stored.DisplayName != "Ève" || stored.Category != nil ||
		stored.DepartementID != nil || stored.TermsAcceptedAt != nil || stored.EmailVerifiedAt == nil {
		t.Errorf("stored after the takeover: %+v %v", stored, err)
	}
	if _, err := s.Authenticate(ctx, "eve@exemple.fr", "un mot de passe"); !errors.Is(err, account.ErrBadCredentials) {
		t.Errorf("the squatter's password still works: %v", err)
	}
}
