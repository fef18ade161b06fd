package main

import (
	"context"
	"fmt"
	"io"

	"github.com/cnr-numerique/concertation/app/contribution"
	"github.com/cnr-numerique/concertation/app/db"
)

// recountCmd rebuilds the rollup, the listing and the counters from the rows
// and says, in French, whether they differed (the repair command).
func recountCmd(ctx context.Context, d *db.DB, stdout io.Writer) error {
	r, err := contribution.NewStore(d).Recount(ctx)
	if err != nil {
		return fmt.Errorf("recomptage : %w", err)
	}
	if r.Exact() {
		fmt.Fprintln(stdout, "Recomptage terminé : les totaux, la liste et les compteurs étaient exacts, rien n'a changé.")
		return nil
	}
	fmt.Fprintf(stdout, "Recomptage terminé : des écarts ont été corrigés (%d totaux par catégorie de filtres, %d lignes de la liste, %d compteurs de contributions).\n",
		r.Cells, r.Listing, r.Counters)
	return nil
}
