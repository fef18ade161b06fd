package mediation

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/hub"
	"github.com/cnr-numerique/concertation/app/moderation"
)

// check cleans in and returns the problems of the person's part of a form,
// with the département it names.
func (s *Service) check(ctx context.Context, in *PersonInput) (contribution.Problems, hub.Territory, error) {
	p := contribution.Problems{}
	refs, err := s.contributions.Refs(ctx)
	if err != nil {
		return nil, hub.Territory{}, err
	}
	if !in.Consent {
		p.Add(FieldConsent, "Sans l'accord de la personne, rien n'est enregistré. Lisez-lui le texte. Cochez la case seulement si elle dit oui.")
	}
	label, ok := contribution.CleanLine(in.Label)
	switch {
	case !ok:
		p.Add(FieldLabel, "Le prénom contient des caractères invalides.")
	case utf8.RuneCountInString(label) > MaxLabel:
		p.Add(FieldLabel, fmt.Sprintf("Le prénom ou pseudonyme est trop long : %d caractères au plus.", MaxLabel))
	case strings.Contains(label, "@"):
		p.Add(FieldLabel, "N'écrivez pas d'adresse e-mail. Un prénom ou un pseudonyme suffit.")
	}
	in.Label = label
	if in.Category == hub.AuthorCategory || refs.CategoryLabel(in.Category) == "" {
		p.Add(FieldCategory, "Choisissez la catégorie de la personne. Par exemple : citoyen ou citoyenne.")
	}
	dep, ok := refs.TerritoryByCode(hub.KindDepartement, strings.ToUpper(strings.TrimSpace(in.Departement)))
	if !ok {
		p.Add(FieldDepartement, "Choisissez le département de la personne dans la liste.")
	}
	return p, dep, nil
}

// addPerson records the person of in (checked), with their consent, for
// médiateur m, in the transaction of ctx: within m's territory and daily
// limit of people.
func (s *Service) addPerson(ctx context.Context, m Mediator, in PersonInput, dep hub.Territory) (Person, error) {
	refs, err := s.contributions.Refs(ctx)
	if err != nil {
		return Person{}, err
	}
	if !covers(refs, m, dep.ID) {
		return Person{}, ErrOutsideTerritory
	}
	var n int
	if err := s.db.Conn(ctx).Raw(`SELECT count(*) FROM mediation_people WHERE mediator_id = ? AND created_at >= ?`,
		m.UserID, dayStart(time.Now())).Scan(&n).Error; err != nil {
		return Person{}, fmt.Errorf("count people: %w", err)
	}
	if n >= s.limits.People {
		return Person{}, &LimitError{What: "personnes", Max: s.limits.People}
	}
	p := Person{MediatorID: m.UserID, Label: in.Label, Category: in.Category, CategoryLabel: refs.CategoryLabel(in.Category),
		DepartementID: dep.ID, DepartementName: dep.Label()}
	err = s.db.Conn(ctx).Raw(`INSERT INTO mediation_people (mediator_id, label, author_category, departement_id, consent_version, consent_at, consent_by)
		VALUES (?, ?, ?, ?, ?, now(), ?) RETURNING id, consent_at`, m.UserID, p.Label, p.Category, p.DepartementID, ConsentVersion, m.UserID).
		Row().Scan(&p.ID, &p.ConsentAt)
	if err != nil {
		return Person{}, fmt.Errorf("record person: %w", err)
	}
	return p, s.audit.Record(ctx, &m.UserID, moderation.AuditMediationPerson, personTarget(p.ID), map[string]any{
		"categorie": p.Category, "departement": dep.Code, "accord": ConsentVersion})
}

func personTarget(id int64) string { return "person:" + strconv.FormatInt(id, 10) }

// RecordPerson records a person at the side of médiateur mediatorID, once
// their consent has been read aloud and given: afterwards, for
// PresenceWindow, the médiateur may support contributions for them. It
// returns the problems of the form (nothing is stored then), or
// ErrNotMediator, ErrOutsideTerritory, *LimitError.
func (s *Service) RecordPerson(ctx context.Context, mediatorID int64, in PersonInput) (Person, contribution.Problems, error) {
	problems, dep, err := s.check(ctx, &in)
	if err != nil || len(problems) > 0 {
		return Person{}, problems, err
	}
	var p Person
	err = s.db.InTx(ctx, func(ctx context.Context) error {
		m, err := s.lock(ctx, mediatorID)
		if err != nil {
			return err
		}
		p, err = s.addPerson(ctx, m, in, dep)
		return err
	})
	if err != nil {
		return Person{}, nil, s.refused(ctx, mediatorID, "personne", err)
	}
	return p, nil, nil
}

// personColumns reads a Person (alias p for mediation_people).
const personColumns = `p.id, p.mediator_id, p.label, p.author_category AS category, p.departement_id, p.consent_at,
	(SELECT count(*) FROM assisted_supports s WHERE s.person_id = p.id) AS supports`

// present returns the person personID if médiateur mediatorID recorded them
// less than PresenceWindow ago; ErrPersonAbsent otherwise.
func (s *Service) present(ctx context.Context, mediatorID, personID int64) (Person, error) {
	var rows []Person
	err := s.db.Conn(ctx).Raw(`SELECT `+personColumns+` FROM mediation_people p
		WHERE p.id = ? AND p.mediator_id = ? AND p.consent_at > ?`, personID, mediatorID, time.Now().Add(-PresenceWindow)).Scan(&rows).Error
	if err != nil {
		return Person{}, fmt.Errorf("person %d: %w", personID, err)
	}
	if len(rows) == 0 {
		return Person{}, ErrPersonAbsent
	}
	return s.label(ctx, rows)[0], nil
}

// People returns the people that médiateur mediatorID may still act for
// (consent given less than PresenceWindow ago), the latest first.
func (s *Service) People(ctx context.Context, mediatorID int64) ([]Person, error) {
	var rows []Person
	err := s.db.Conn(ctx).Raw(`SELECT `+personColumns+` FROM mediation_people p
		WHERE p.mediator_id = ? AND p.consent_at > ? ORDER BY p.consent_at DESC, p.id DESC`,
		mediatorID, time.Now().Add(-PresenceWindow)).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("people of médiateur %d: %w", mediatorID, err)
	}
	return s.label(ctx, rows), nil
}

// label fills the names of the categories and départements of people.
func (s *Service) label(ctx context.Context, people []Person) []Person {
	refs, err := s.contributions.Refs(ctx)
	if err != nil {
		return people
	}
	for i := range people {
		people[i].CategoryLabel = refs.CategoryLabel(people[i].Category)
		if t, ok := refs.Territory(people[i].DepartementID); ok {
			people[i].DepartementName = t.Label()
		}
	}
	return people
}
