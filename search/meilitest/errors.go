package meilitest

import (
	"fmt"
	"net/http"
)

// apiError is Meilisearch's ResponseError: {message, code, type, link}
// (v1.45.1 crates/meilisearch-types/src/error.rs: the link is
// https://docs.meilisearch.com/errors#<code>, the type and HTTP status come
// from the table of codes).
type apiError struct {
	status  int
	Message string `json:"message"`
	Code    string `json:"code"`
	Type    string `json:"type"`
	Link    string `json:"link"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// codes are the error codes the double answers with, with their type and
// HTTP status as in the table of v1.45.1 crates/meilisearch-types/src/error.rs.
var codes = map[string]struct {
	typ    string
	status int
}{
	"bad_request":                          {"invalid_request", http.StatusBadRequest},
	"malformed_payload":                    {"invalid_request", http.StatusBadRequest},
	"missing_payload":                      {"invalid_request", http.StatusBadRequest},
	"missing_content_type":                 {"invalid_request", http.StatusUnsupportedMediaType},
	"invalid_content_type":                 {"invalid_request", http.StatusUnsupportedMediaType},
	"missing_authorization_header":         {"auth", http.StatusUnauthorized},
	"invalid_api_key":                      {"auth", http.StatusForbidden},
	"index_not_found":                      {"invalid_request", http.StatusNotFound},
	"index_already_exists":                 {"invalid_request", http.StatusConflict},
	"task_not_found":                       {"invalid_request", http.StatusNotFound},
	"invalid_index_uid":                    {"invalid_request", http.StatusBadRequest},
	"missing_index_uid":                    {"invalid_request", http.StatusBadRequest},
	"invalid_index_primary_key":            {"invalid_request", http.StatusBadRequest},
	"index_primary_key_already_exists":     {"invalid_request", http.StatusBadRequest},
	"index_primary_key_no_candidate_found": {"invalid_request", http.StatusBadRequest},
	"invalid_index_custom_metadata":        {"invalid_request", http.StatusBadRequest},
	"invalid_skip_creation":                {"invalid_request", http.StatusBadRequest},
	"invalid_document_csv_delimiter":       {"invalid_request", http.StatusBadRequest},
	"missing_document_id":                  {"invalid_request", http.StatusBadRequest},
	"invalid_document_id":                  {"invalid_request", http.StatusBadRequest},
	"invalid_document_fields":              {"invalid_request", http.StatusBadRequest},
	"invalid_swap_indexes":                 {"invalid_request", http.StatusBadRequest},
	"invalid_swap_rename":                  {"invalid_request", http.StatusBadRequest},
	"invalid_swap_duplicate_index_found":   {"invalid_request", http.StatusBadRequest},
	"missing_swap_indexes":                 {"invalid_request", http.StatusBadRequest},
	"invalid_search_filter":                {"invalid_request", http.StatusBadRequest},
	"invalid_search_sort":                  {"invalid_request", http.StatusBadRequest},
	"invalid_search_facets":                {"invalid_request", http.StatusBadRequest},
	"invalid_settings_ranking_rules":       {"invalid_request", http.StatusBadRequest},
	"invalid_settings_typo_tolerance":      {"invalid_request", http.StatusBadRequest},
	"internal":                             {"internal", http.StatusInternalServerError},
}

// newError returns the error of code; a code missing from the table is a
// deserialization code (invalid_settings_*, invalid_search_*: 400).
func newError(code, msg string) *apiError {
	c, ok := codes[code]
	if !ok {
		c.typ, c.status = "invalid_request", http.StatusBadRequest
	}
	return &apiError{status: c.status, Message: msg, Code: code, Type: c.typ, Link: "https://docs.meilisearch.com/errors#" + code}
}

func newErrorf(code, format string, args ...any) *apiError {
	return newError(code, fmt.Sprintf(format, args...))
}

func indexNotFound(uid string) *apiError {
	return newErrorf("index_not_found", "Index `%s` not found.", uid)
}

// validUID is IndexUid's rule (v1.45.1 crates/meilisearch-types/src/index_uid.rs).
func validUID(s string) bool {
	if s == "" || len(s) > 512 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func invalidUIDMessage(s string) string {
	return "`" + s + "` is not a valid index uid. Index uid can be an integer or a string containing only alphanumeric characters, hyphens (-) and underscores (_), and can not be more than 512 bytes."
}
