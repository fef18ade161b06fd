package search_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search"
)

// TestContractMeilisearch runs the contract against the Meilisearch server
// of MEILI_URL (MEILI_KEY), in a throwaway index.
func TestContractMeilisearch(t *testing.T) {
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Skip("MEILI_URL is not set: the Meilisearch run of the search contract is SKIPPED (the PostgreSQL run is not)")
	}
	runContract(t, func(t *testing.T, f *fixture) search.Engine {
		ctx := context.Background()
		uid := fmt.Sprintf("test_contract_%d", time.Now().UnixNano())
		e := search.NewMeili(url, os.Getenv("MEILI_KEY"), uid)
		if err := e.EnsureIndex(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.DropIndex(context.Background(), uid) })
		if err := e.Index(ctx, f.docs); err != nil {
			t.Fatal(err)
		}
		return e
	})
}
