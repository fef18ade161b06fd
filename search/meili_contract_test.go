package search_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search"
	"github.com/cnr-numerique/concertation/search/meilitest"
)

// meiliContract runs the contract against the Meilisearch server at url,
// in a throwaway index created and filled as a rebuild does it (Prepare,
// IndexInto, Swap), so the contract checks the rebuild too.
func meiliContract(t *testing.T, url, key string) {
	runContract(t, func(t *testing.T, f *fixture) search.Engine {
		ctx := context.Background()
		uid := fmt.Sprintf("test_contract_%d", time.Now().UnixNano())
		e := search.NewMeili(url, key, uid)
		target := e.NewTarget()
		if err := e.Prepare(ctx, target); err != nil {
			t.Fatal(err)
		}
		if err := e.IndexInto(ctx, target, f.docs); err != nil {
			t.Fatal(err)
		}
		if n, err := e.Count(ctx, target); err != nil || n != int64(len(f.docs)) {
			t.Fatalf("target holds %d documents (%v), want %d", n, err, len(f.docs))
		}
		if err := e.Swap(ctx, target); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.DropIndex(context.Background(), uid) })
		return e
	})
}

// TestContractMeiliDouble runs the contract against the protocol double of
// the pinned server version, on every test run.
func TestContractMeiliDouble(t *testing.T) {
	srv := meilitest.New(meilitest.Options{Key: "contract-key"})
	t.Cleanup(srv.Close)
	meiliContract(t, srv.URL, "contract-key")
}

// TestContractMeilisearch runs the contract against the Meilisearch server
// of MEILI_URL (MEILI_KEY), in a throwaway index.
func TestContractMeilisearch(t *testing.T) {
	url := os.Getenv("MEILI_URL")
	if url == "" {
		t.Skip("MEILI_URL is not set: the run of the search contract against a real Meilisearch is SKIPPED (the PostgreSQL and protocol double runs are not)")
	}
	v, err := search.NewMeili(url, os.Getenv("MEILI_KEY"), "").CheckVersion(context.Background())
	if err != nil {
		t.Errorf("server version %s: %v", v, err)
	}
	meiliContract(t, url, os.Getenv("MEILI_KEY"))
}
