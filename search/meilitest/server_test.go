package meilitest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cnr-numerique/concertation/search/meilitest"
)

// client sends raw requests to a double, as a server would receive them.
type client struct {
	t   *testing.T
	srv *meilitest.Server
	key string
}

func newClient(t *testing.T, opts meilitest.Options) *client {
	srv := meilitest.New(opts)
	t.Cleanup(srv.Close)
	return &client{t: t, srv: srv, key: opts.Key}
}

func (c *client) do(method, path, body string) (int, map[string]any) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(bytes.TrimSpace(b)) > 0 && b[0] == '{' {
		if err := json.Unmarshal(b, &out); err != nil {
			c.t.Fatalf("%s %s: %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode, out
}

// task sends a write, waits for its task and returns it.
func (c *client) task(method, path, body string) map[string]any {
	c.t.Helper()
	status, out := c.do(method, path, body)
	if status != http.StatusAccepted {
		c.t.Fatalf("%s %s: %d %v, want 202", method, path, status, out)
	}
	if out["status"] != "enqueued" {
		c.t.Fatalf("%s %s: summary %v", method, path, out)
	}
	if !c.srv.Wait(5 * time.Second) {
		c.t.Fatal("tasks do not finish")
	}
	_, task := c.do("GET", "/tasks/"+jsonNumber(out["taskUid"]), "")
	return task
}

func jsonNumber(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func expectError(t *testing.T, status int, body map[string]any, wantStatus int, code, message string) {
	t.Helper()
	if status != wantStatus || body["code"] != code || body["type"] == nil || body["link"] != "https://docs.meilisearch.com/errors#"+code {
		t.Errorf("got %d %v, want %d %s", status, body, wantStatus, code)
	}
	if message != "" && body["message"] != message {
		t.Errorf("message:\n got %q\nwant %q", body["message"], message)
	}
}

// The messages below are those of Meilisearch's own tests at v1.45.1
// (crates/meilisearch/tests/settings/errors.rs, search/errors.rs,
// index/errors.rs) where they exist.
func TestDoubleRefusesBadSettings(t *testing.T) {
	c := newClient(t, meilitest.Options{})
	tests := []struct {
		name, body, code, message string
	}{
		{"unknown field", `{"doggo": true}`, "bad_request", ""},
		{"misspelled field", `{"stopWord": ["le"]}`, "bad_request", ""},
		{"wrong type", `{"rankingRules": "doggo"}`, "invalid_settings_ranking_rules",
			"Invalid value type at `.rankingRules`: expected an array, but found a string: `\"doggo\"`"},
		{"wrong nested type", `{"pagination": {"maxTotalHits": "doggo"}}`, "invalid_settings_pagination",
			"Invalid value type at `.pagination.maxTotalHits`: expected a positive integer, but found a string: `\"doggo\"`"},
		{"zero", `{"pagination": {"maxTotalHits": 0}}`, "invalid_settings_pagination",
			"Invalid value at `.pagination.maxTotalHits`: a non-zero integer value lower than `18446744073709551615` was expected, but found a zero"},
		{"unknown nested field", `{"typoTolerance": {"doggo": 1}}`, "invalid_settings_typo_tolerance",
			"Unknown field `doggo` inside `.typoTolerance`: expected one of `enabled`, `minWordSizeForTypos`, `disableOnWords`, `disableOnAttributes`, `disableOnNumbers`"},
		{"typo sizes", `{"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 9, "twoTypos": 4}}}`, "invalid_settings_typo_tolerance", ""},
		{"bad ranking rule", `{"rankingRules": ["words", "doggo"]}`, "invalid_settings_ranking_rules",
			"Invalid value at `.rankingRules[1]`: `doggo` ranking rule is invalid. Valid ranking rules are words, typo, sort, proximity, attribute, exactness and custom ranking rules."},
		{"mixed attribute rules", `{"rankingRules": ["attribute", "wordPosition"]}`, "invalid_settings_ranking_rules",
			"Mixed usage of the attribute, attributeRank, and wordPosition ranking rules. You must either use the attribute ranking rule alone or the attributeRank and wordPosition ranking rules."},
		{"synonyms not lists", `{"synonyms": {"a": "b"}}`, "invalid_settings_synonyms",
			"Invalid value type at `.synonyms.a`: expected an array, but found a string: `\"b\"`"},
		{"unknown locale", `{"localizedAttributes": [{"locales": ["xx"], "attributePatterns": ["*"]}]}`, "invalid_settings_localized_attributes", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := c.do("PATCH", "/indexes/movies/settings", tt.body)
			expectError(t, status, body, 400, tt.code, tt.message)
		})
	}
	status, body := c.do("PATCH", "/indexes/movies/settings", `{"stopWord": ["le"]}`)
	if msg, _ := body["message"].(string); status != 400 || !strings.HasPrefix(msg, "Unknown field `stopWord`: did you mean `stopWords`? expected one of `displayedAttributes`, ") {
		t.Errorf("did you mean: %d %q", status, msg)
	}
	if _, ok := c.srv.Documents("movies"); ok {
		t.Error("a refused settings update created the index")
	}
}

func TestDoubleRefusesBadRequests(t *testing.T) {
	c := newClient(t, meilitest.Options{Key: "secret"})
	c.task("POST", "/indexes", `{"uid": "movies", "primaryKey": "id"}`)
	c.task("PATCH", "/indexes/movies/settings", `{"filterableAttributes": ["genre"]}`)

	status, body := c.do("POST", "/indexes/movies/search", `{"q": ["doggo"]}`)
	expectError(t, status, body, 400, "invalid_search_q", "Invalid value type at `.q`: expected a string, but found an array: `[\"doggo\"]`")
	status, body = c.do("POST", "/indexes/movies/search", `{"matchingStrategy": "doggo"}`)
	expectError(t, status, body, 400, "invalid_search_matching_strategy", "Unknown value `doggo` at `.matchingStrategy`: expected one of `last`, `all`, `frequency`")
	status, body = c.do("POST", "/indexes/movies/search", `{"facets": ["doggo"]}`)
	expectError(t, status, body, 400, "invalid_search_facets", "Invalid facet distribution: Attribute `doggo` is not filterable. Available filterable attributes patterns are: `genre`.")
	status, body = c.do("POST", "/indexes/movies/search", `{"filter": "many = Glass"}`)
	expectError(t, status, body, 400, "invalid_search_filter", "Index `movies`: Attribute `many` is not filterable. Available filterable attribute patterns are: `genre`.\n1:5 many = Glass")
	status, body = c.do("POST", "/indexes/movies/search", `{"filter": "genre = Glass XOR genre = Glass"}`)
	expectError(t, status, body, 400, "invalid_search_filter", "Found unexpected characters at the end of the filter: `XOR genre = Glass`. You probably forgot an `OR` or an `AND` rule.\n15:32 genre = Glass XOR genre = Glass")
	status, body = c.do("POST", "/indexes/movies/search", `{"sort": ["genre:asc"]}`)
	expectError(t, status, body, 400, "invalid_search_sort", "Index `movies`: Attribute `genre` is not sortable. Available sortable attributes are: ``.")
	status, body = c.do("POST", "/indexes/movies/search", `{"limit": -1}`)
	expectError(t, status, body, 400, "invalid_search_limit", "Invalid value type at `.limit`: expected a positive integer, but found a negative integer: `-1`")

	status, body = c.do("POST", "/indexes/movies/documents?skipCreation=maybe", `[{"id": 1}]`)
	expectError(t, status, body, 400, "invalid_skip_creation", "")
	status, body = c.do("POST", "/indexes/movies/documents?doggo=1", `[{"id": 1}]`)
	expectError(t, status, body, 400, "bad_request", "Unknown parameter `doggo`: expected one of `primaryKey`, `csvDelimiter`, `customMetadata`, `skipCreation`")
	status, body = c.do("POST", "/indexes", `{"uid": "movies", "doggo": "x"}`)
	expectError(t, status, body, 400, "bad_request", "Unknown field `doggo`: expected one of `uid`, `primaryKey`")
	status, body = c.do("POST", "/indexes", `{"uid": "bad uid"}`)
	expectError(t, status, body, 400, "invalid_index_uid", "")
	status, body = c.do("POST", "/swap-indexes", `[{"indexes": ["movies"]}]`)
	expectError(t, status, body, 400, "invalid_swap_indexes", "")
	status, body = c.do("POST", "/swap-indexes", `[{"indexes": ["a", "b"], "rename": "yes"}]`)
	expectError(t, status, body, 400, "invalid_swap_rename", "Invalid value type at `[0].rename`: expected a boolean, but found a string: `\"yes\"`")
	status, body = c.do("POST", "/indexes/movies/search", `{"q": "x"`)
	expectError(t, status, body, 400, "malformed_payload", "")

	c.key = ""
	status, body = c.do("POST", "/indexes/movies/search", `{}`)
	expectError(t, status, body, 401, "missing_authorization_header", "The Authorization header is missing. It must use the bearer authorization method.")
	c.key = "wrong"
	status, body = c.do("POST", "/indexes/movies/search", `{}`)
	expectError(t, status, body, 403, "invalid_api_key", "The provided API key is invalid.")
}

func TestDoubleTasksAreAsynchronous(t *testing.T) {
	c := newClient(t, meilitest.Options{})
	c.srv.PauseTasks()
	status, out := c.do("POST", "/indexes", `{"uid": "movies"}`)
	if status != 202 || out["type"] != "indexCreation" || out["indexUid"] != "movies" {
		t.Fatalf("enqueue: %d %v", status, out)
	}
	_, task := c.do("GET", "/tasks/0", "")
	if task["status"] != "enqueued" || task["startedAt"] != nil {
		t.Errorf("paused task: %v", task)
	}
	if status, _ := c.do("GET", "/indexes/movies", ""); status != 404 {
		t.Errorf("the index exists before its task ran: %d", status)
	}
	c.srv.ResumeTasks()
	if !c.srv.Wait(5 * time.Second) {
		t.Fatal("tasks do not finish")
	}
	_, task = c.do("GET", "/tasks/0", "")
	if task["status"] != "succeeded" || task["finishedAt"] == nil || task["error"] != nil {
		t.Errorf("task: %v", task)
	}
	task = c.task("POST", "/indexes", `{"uid": "movies"}`)
	if task["status"] != "failed" || task["error"].(map[string]any)["code"] != "index_already_exists" {
		t.Errorf("second creation: %v", task)
	}
	status, body := c.do("GET", "/tasks/99", "")
	expectError(t, status, body, 404, "task_not_found", "Task `99` not found.")
}

func TestDoubleDocumentSemantics(t *testing.T) {
	c := newClient(t, meilitest.Options{})
	// skipCreation skips the documents that do not exist yet, not the index.
	task := c.task("POST", "/indexes/fresh/documents?primaryKey=id&skipCreation=true", `[{"id": 1, "t": "a"}]`)
	details := task["details"].(map[string]any)
	if task["status"] != "succeeded" || details["indexedDocuments"] != 0.0 || details["receivedDocuments"] != 1.0 {
		t.Errorf("skipCreation on a new index: %v", task)
	}
	if docs, ok := c.srv.Documents("fresh"); !ok || len(docs) != 0 {
		t.Errorf("skipCreation: index %v, documents %v", ok, docs)
	}
	c.task("POST", "/indexes/fresh/documents?primaryKey=id", `[{"id": 1, "t": "a"}, {"id": 2, "t": "b"}]`)
	c.task("POST", "/indexes/fresh/documents?skipCreation=true", `[{"id": 2, "t": "B"}, {"id": 3, "t": "c"}]`)
	docs, _ := c.srv.Documents("fresh")
	if len(docs) != 2 || string(docs["2"]) != `{"id":2,"t":"B"}` {
		t.Errorf("documents: %s", docs)
	}
	task = c.task("POST", "/indexes/fresh/documents", `[{"t": "no id"}]`)
	if task["status"] != "failed" || task["error"].(map[string]any)["code"] != "missing_document_id" {
		t.Errorf("missing id: %v", task)
	}
	task = c.task("POST", "/indexes/fresh/documents/delete-batch", `[1, "3"]`)
	if d := task["details"].(map[string]any); d["providedIds"] != 2.0 || d["deletedDocuments"] != 1.0 {
		t.Errorf("deletion: %v", task)
	}
	task = c.task("POST", "/indexes/nowhere/documents/delete-batch", `[1]`)
	if task["status"] != "failed" || task["error"].(map[string]any)["code"] != "index_not_found" {
		t.Errorf("deletion from a missing index: %v", task)
	}
	task = c.task("POST", "/swap-indexes", `[{"indexes": ["fresh", "nowhere"], "rename": false}]`)
	if task["status"] != "failed" || task["error"].(map[string]any)["message"] != "Index `nowhere` not found." {
		t.Errorf("swap with a missing index: %v", task)
	}
	task = c.task("POST", "/swap-indexes", `[{"indexes": ["fresh", "renamed"], "rename": true}]`)
	if _, ok := c.srv.Documents("renamed"); task["status"] != "succeeded" || !ok {
		t.Errorf("rename: %v", task)
	}
	task = c.task("DELETE", "/indexes/renamed", "")
	if _, ok := c.srv.Documents("renamed"); task["status"] != "succeeded" || ok {
		t.Errorf("deletion of the index: %v", task)
	}
}

func TestDoubleSearch(t *testing.T) {
	c := newClient(t, meilitest.Options{})
	c.task("PATCH", "/indexes/c/settings", `{"searchableAttributes": ["title", "body"], "filterableAttributes": ["axis", "status"],
		"sortableAttributes": ["n"], "stopWords": ["les", "des"], "synonyms": {"digital": ["numérique"]},
		"typoTolerance": {"disableOnNumbers": true}, "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"]}`)
	c.task("POST", "/indexes/c/documents?primaryKey=id", `[
		{"id": 1, "title": "Les médiateurs numériques", "body": "Former des médiateurs au numérique.", "axis": 1, "status": "published", "n": 5},
		{"id": 2, "title": "Bibliothèques", "body": "Les médiateurs du dimanche, code 29019.", "axis": 2, "status": "published", "n": 9},
		{"id": 3, "title": "Retirée", "body": "médiateurs", "axis": 1, "status": "withdrawn", "n": 1}]`)
	search := func(body string) map[string]any {
		t.Helper()
		status, out := c.do("POST", "/indexes/c/search", body)
		if status != 200 {
			t.Fatalf("search %s: %d %v", body, status, out)
		}
		return out
	}
	ids := func(out map[string]any) string {
		var s []string
		for _, h := range out["hits"].([]any) {
			s = append(s, jsonNumber(h.(map[string]any)["id"]))
		}
		return strings.Join(s, ",")
	}
	out := search(`{"q": "médiateur", "filter": "status IN [\"published\"]", "facets": ["axis"], "page": 1, "hitsPerPage": 10,
		"attributesToHighlight": ["title"], "highlightPreTag": "[", "highlightPostTag": "]"}`)
	if ids(out) != "1,2" || out["totalHits"] != 2.0 || jsonNumber(out["facetDistribution"]) != `{"axis":{"1":1,"2":1}}` {
		t.Errorf("search: %v", out)
	}
	if f := out["hits"].([]any)[0].(map[string]any)["_formatted"].(map[string]any); f["title"] != "Les [médiateur]s numériques" || f["id"] != "1" {
		t.Errorf("_formatted (a prefix highlighted as far as it matched, numbers as strings): %v", f)
	}
	if got := ids(search(`{"q": "médiateurs", "sort": ["n:desc"]}`)); got != "2,1,3" {
		t.Errorf("sorted: %s", got)
	}
	if got := ids(search(`{"q": "digital"}`)); got != "1" {
		t.Errorf("synonym: %s", got)
	}
	if got := ids(search(`{"q": "29018"}`)); got != "" {
		t.Errorf("a number corrected: %s", got)
	}
	if got := ids(search(`{"q": "\"numériques médiateurs\""}`)); got != "" {
		t.Errorf("phrase in the wrong order: %s", got)
	}
	if got := ids(search(`{"q": "médiateurs -dimanche"}`)); got != "1,3" {
		t.Errorf("exclusion: %s", got)
	}
	if got := ids(search(`{"q": "médiateurs dimanche zzzz", "matchingStrategy": "all"}`)); got != "" {
		t.Errorf("all: %s", got)
	}
	if got := ids(search(`{"q": "médiateurs dimanche zzzz", "matchingStrategy": "frequency"}`)); got != "2" {
		t.Errorf("frequency: %s", got)
	}
	if got := ids(search(`{"q": "médiateurs zzzz", "matchingStrategy": "last"}`)); got != "1,2,3" {
		t.Errorf("last: %s", got)
	}
}
