package mediation

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/moderation"
)

// errProblems carries form problems out of a transaction, rolling it back.
type errProblems struct{ p contribution.Problems }

func (e errProblems) Error() string { return "mediation: invalid form" }

// Contribute publishes d as a contribution accompagnée that médiateur
// mediatorID wrote for a person at their side, and returns the receipt with
// its claim code. The person is a new one described by in (their consent
// read aloud and given), or, when personID is set, one the médiateur
// recorded less than PresenceWindow ago. Everything happens in one
// transaction with its audit entries. It returns the problems of the form
// (nothing is stored then), or ErrNotMediator, ErrPersonAbsent,
// ErrOutsideTerritory, *LimitError; the last two are audited.
func (s *Service) Contribute(ctx context.Context, mediatorID, consultationID, personID int64, in PersonInput, d contribution.Draft) (Receipt, contribution.Problems, error) {
	if s.key == nil {
		return Receipt{}, nil, errors.New("mediation: no key for claim codes")
	}
	problems := contribution.Problems{}
	check := d
	check.Entry, check.ReactsToID = contribution.EntryLibres, 0
	for k, v := range check.Normalize() {
		problems.Add(k, v)
	}
	newPerson := personID == 0
	var dep hub.Territory
	if newPerson {
		p, t, err := s.check(ctx, &in)
		if err != nil {
			return Receipt{}, nil, err
		}
		for k, v := range p {
			problems.Add(k, v)
		}
		dep = t
	}
	if len(problems) > 0 {
		return Receipt{}, problems, nil
	}
	var r Receipt
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		m, err := s.lock(ctx, mediatorID)
		if err != nil {
			return err
		}
		var person Person
		if newPerson {
			person, err = s.addPerson(ctx, m, in, dep)
		} else {
			person, err = s.present(ctx, mediatorID, personID)
		}
		if err != nil {
			return err
		}
		var n int
		if err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM assisted_contributions WHERE mediator_id = ? AND created_at >= ?`,
			mediatorID, dayStart(time.Now())).Scan(&n).Error; err != nil {
			return fmt.Errorf("count assisted contributions: %w", err)
		}
		if n >= s.limits.Contributions {
			return &LimitError{What: "contributions", Max: s.limits.Contributions}
		}
		code, hash, err := s.newCode(ctx)
		if err != nil {
			return err
		}
		expires := time.Now().Add(ClaimValidity)
		id, pr, err := s.contributions.CreateAssisted(ctx, person.person(), consultationID, d, hash, expires)
		if err != nil {
			return err
		}
		if len(pr) > 0 {
			return errProblems{pr}
		}
		r = Receipt{ContributionID: id, Title: d.Title, Code: FormatCode(code), ExpiresAt: expires, Person: person, Structure: m.Structure()}
		if t, ok := contribution.CleanLine(d.Title); ok {
			r.Title = t
		}
		return s.audit.Record(ctx, &mediatorID, moderation.AuditMediationContrib, contributionTarget(id), map[string]any{
			"personne": person.ID, "code_valable_jusqu_au": expires.Format(time.DateOnly)})
	})
	var ep errProblems
	if errors.As(err, &ep) {
		return Receipt{}, ep.p, nil
	}
	if err != nil {
		return Receipt{}, nil, s.refused(ctx, mediatorID, "contribution", err)
	}
	return r, nil, nil
}

func contributionTarget(id int64) string { return "contribution:" + strconv.FormatInt(id, 10) }

// Support records (add) or removes the support of contribution id by the
// person personID, present at the side of médiateur mediatorID, and returns
// the count of supports. Recording stays within the médiateur's daily limit
// of supports and the limit per person. Errors: ErrNotMediator,
// ErrPersonAbsent, *LimitError (audited), and those of the contribution
// domain (ErrNotFound, ErrNotPublished, ErrOwn for the person's own
// contribution, ErrMediatorOwn).
func (s *Service) Support(ctx context.Context, mediatorID, personID, id int64, add bool) (int, error) {
	var count int
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.lock(ctx, mediatorID); err != nil {
			return err
		}
		person, err := s.present(ctx, mediatorID, personID)
		if err != nil {
			return err
		}
		action := moderation.AuditMediationUnsupp
		if add {
			action = moderation.AuditMediationSupport
			var today int
			if err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM assisted_supports WHERE mediator_id = ? AND created_at >= ?`,
				mediatorID, dayStart(time.Now())).Scan(&today).Error; err != nil {
				return fmt.Errorf("count assisted supports: %w", err)
			}
			switch {
			case today >= s.limits.Supports:
				return &LimitError{What: "soutiens", Max: s.limits.Supports}
			case person.Supports >= s.limits.SupportsPerPerson:
				return &LimitError{What: "soutiens_par_personne", Max: s.limits.SupportsPerPerson}
			}
			count, err = s.contributions.SupportAssisted(ctx, person.person(), id)
		} else {
			count, err = s.contributions.UnsupportAssisted(ctx, person.person(), id)
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, &mediatorID, action, contributionTarget(id), map[string]any{"personne": person.ID})
	})
	if err != nil {
		return 0, s.refused(ctx, mediatorID, "soutien", err)
	}
	return count, nil
}

// Supporters returns which of people support contribution id.
func (s *Service) Supporters(ctx context.Context, id int64, people []Person) (map[int64]bool, error) {
	ids := make([]int64, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	return s.contributions.AssistedSupporters(ctx, id, ids)
}

// PersonOf returns the person a contribution accompagnée was written for,
// 0 for any other contribution.
func (s *Service) PersonOf(ctx context.Context, id int64) (int64, error) {
	var ids []int64
	if err := s.db.Conn(ctx).Raw(`SELECT person_id FROM assisted_contributions WHERE contribution_id = ?`, id).Scan(&ids).Error; err != nil {
		return 0, fmt.Errorf("person of %d: %w", id, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// NewCode gives the contribution id, written by médiateur mediatorID and
// not taken by its person yet, a new claim code, and returns the receipt:
// for a receipt lost before the person used it. The former code stops
// working. ErrNotFound when the contribution is not theirs or was taken.
func (s *Service) NewCode(ctx context.Context, mediatorID, id int64) (Receipt, error) {
	if s.key == nil {
		return Receipt{}, errors.New("mediation: no key for claim codes")
	}
	var r Receipt
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		m, err := s.lock(ctx, mediatorID)
		if err != nil {
			return err
		}
		code, hash, err := s.newCode(ctx)
		if err != nil {
			return err
		}
		expires := time.Now().Add(ClaimValidity)
		if err := s.contributions.ReissueClaimCode(ctx, id, mediatorID, hash, expires); errors.Is(err, contribution.ErrNotAllowed) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		var rows []struct {
			Title    string
			PersonID int64
		}
		if err := s.db.Conn(ctx).Raw(`SELECT c.title, a.person_id FROM contributions c JOIN assisted_contributions a ON a.contribution_id = c.id
			WHERE c.id = ?`, id).Scan(&rows).Error; err != nil || len(rows) == 0 {
			return fmt.Errorf("receipt of %d: %w", id, err)
		}
		people, err := s.people(ctx, rows[0].PersonID)
		if err != nil {
			return err
		}
		r = Receipt{ContributionID: id, Title: rows[0].Title, Code: FormatCode(code), ExpiresAt: expires, Person: people, Structure: m.Structure()}
		return s.audit.Record(ctx, &mediatorID, moderation.AuditMediationCode, contributionTarget(id), nil)
	})
	return r, err
}

// people returns the person id, whoever recorded them and whenever.
func (s *Service) people(ctx context.Context, id int64) (Person, error) {
	var rows []Person
	if err := s.db.Conn(ctx).Raw(`SELECT `+personColumns+` FROM mediation_people p WHERE p.id = ?`, id).Scan(&rows).Error; err != nil {
		return Person{}, fmt.Errorf("person %d: %w", id, err)
	}
	if len(rows) == 0 {
		return Person{}, ErrNotFound
	}
	return s.label(ctx, rows)[0], nil
}

// Claim makes account userID the author of the contribution accompagnée of
// the claim code, with its audit entry. Errors: ErrCodeFormat (not 12
// digits), contribution.ErrClaimUnknown, contribution.ErrClaimExpired,
// contribution.ErrOwn (the médiateur who wrote it).
func (s *Service) Claim(ctx context.Context, userID int64, code string) (contribution.Claimed, error) {
	digits, ok := NormalizeCode(code)
	if !ok {
		return contribution.Claimed{}, ErrCodeFormat
	}
	if s.key == nil {
		return contribution.Claimed{}, errors.New("mediation: no key for claim codes")
	}
	var out contribution.Claimed
	err := s.db.InTx(ctx, func(ctx context.Context) error {
		var err error
		if out, err = s.contributions.Claim(ctx, s.hash(digits), userID); err != nil {
			return err
		}
		return s.audit.Record(ctx, &userID, moderation.AuditMediationClaim, contributionTarget(out.ContributionID),
			map[string]any{"mediateur": out.MediatorID, "personne": out.PersonID})
	})
	return out, err
}

// codeDigits is the length of a claim code: 12 digits (40 bits), read aloud
// and typed on a phone's number pad without doubt between letters.
const codeDigits = 12

// newCode draws a claim code that no contribution uses, and its hash.
func (s *Service) newCode(ctx context.Context) (string, []byte, error) {
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(codeDigits), nil)
	for range 5 {
		n, err := rand.Int(rand.Reader, limit)
		if err != nil {
			return "", nil, err
		}
		code := fmt.Sprintf("%0*d", codeDigits, n)
		h := s.hash(code)
		taken, err := s.contributions.ClaimCodeTaken(ctx, h)
		if err != nil {
			return "", nil, err
		}
		if !taken {
			return code, h, nil
		}
	}
	return "", nil, errors.New("mediation: no free claim code")
}

// hash is the HMAC-SHA-256 of a code (its 12 digits) under the service's key.
func (s *Service) hash(code string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(code))
	return m.Sum(nil)
}

// NormalizeCode keeps the digits of a typed code (spaces, dashes and dots
// are how people write it down); ok is false unless there are 12.
func NormalizeCode(s string) (string, bool) {
	if len(s) > 64 {
		return "", false
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '\u00a0' || r == '\t':
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == codeDigits
}

// FormatCode writes 12 digits in three groups of four: "1234 5678 9012".
func FormatCode(code string) string {
	if len(code) != codeDigits {
		return code
	}
	return code[:4] + " " + code[4:8] + " " + code[8:]
}
