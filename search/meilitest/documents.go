package meilitest

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The document routes: POST /indexes/{uid}/documents, POST
// /indexes/{uid}/documents/delete-batch, GET /indexes/{uid}/documents.

// addDocuments is POST /indexes/{uid}/documents: documents replaced whole
// (v1.45.1 routes/indexes/documents.rs UpdateDocumentsQuery; skipCreation
// is MissingDocumentPolicy::Skip of crates/milli/src/update/index_documents/mod.rs:
// documents that do not exist yet are skipped, the index itself is still
// created when missing).
func (s *Server) addDocuments(w http.ResponseWriter, r *http.Request, uid string, body []byte) *apiError {
	q := r.URL.Query()
	if err := checkQuery(q, s.sc.addDocParams); err != nil {
		return err
	}
	skip := false
	if v, ok := q["skipCreation"]; ok {
		switch strings.ToLower(v[0]) {
		case "true":
			skip = true
		case "false":
		default:
			return newErrorf("invalid_skip_creation", "Invalid value in parameter `skipCreation`: skipCreation must be either `true` or `false`. Found: `%s`", v[0])
		}
	}
	if _, ok := q["csvDelimiter"]; ok {
		return newError("invalid_content_type", "The Content-Type `application/json` does not support the use of a csv delimiter. The csv delimiter can only be used with the Content-Type `text/csv`.")
	}
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	var docs []*jsonObject
	switch t := v.(type) {
	case *jsonObject:
		docs = []*jsonObject{t}
	case []any:
		for _, e := range t {
			o, ok := e.(*jsonObject)
			if !ok {
				return newErrorf("malformed_payload", "The `json` payload provided is malformed. `Couldn't serialize document value: invalid type: %s, expected a map`.", strings.TrimPrefix(valueKind(e), "a "))
			}
			docs = append(docs, o)
		}
	default:
		return newError("malformed_payload", "The `json` payload provided is malformed. `Couldn't serialize document value: data are neither an object nor a list of objects`.")
	}
	pkParam := q.Get("primaryKey")
	var meta *string
	if m, ok := q["customMetadata"]; ok {
		meta = &m[0]
	}
	s.enqueue(w, "documentAdditionOrUpdate", &uid, meta, func() (map[string]any, *apiError) {
		details := map[string]any{"receivedDocuments": len(docs), "indexedDocuments": 0}
		ix, ok := s.indexes[uid]
		if !ok {
			ix = newIndex(uid, "", time.Now().UTC())
			ix.apply(s.sc)
		}
		pk := ix.primaryKey
		switch {
		case pkParam != "" && pk != "" && pkParam != pk:
			return details, newErrorf("index_primary_key_already_exists", "Index `%s`: Index already has a primary key: `%s`.", uid, pk)
		case pk == "" && pkParam != "":
			pk = pkParam
		case pk == "":
			pk = inferPrimaryKey(docs)
			if pk == "" {
				return details, newErrorf("index_primary_key_no_candidate_found", "Index `%s`: The primary key inference failed as the engine did not find any field ending with `id` in its name. Please specify the primary key manually using the `primaryKey` query parameter.", uid)
			}
		}
		ids := make([]string, len(docs))
		raws := make([][]byte, len(docs))
		for i, d := range docs {
			id, err := documentID(d, pk)
			if err != nil {
				err.Message = "Index `" + uid + "`: " + err.Message
				return details, err
			}
			raw, merr := marshal(d)
			if merr != nil {
				return details, newError("internal", merr.Error())
			}
			ids[i], raws[i] = id, raw
		}
		s.indexes[uid] = ix
		ix.primaryKey = pk
		indexed := 0
		for i, id := range ids {
			if old, exists := ix.docs[id]; exists {
				ix.docs[id] = &document{internal: old.internal, raw: raws[i]}
			} else if !skip {
				ix.docs[id] = &document{internal: ix.nextID, raw: raws[i]}
				ix.nextID++
			} else {
				continue
			}
			indexed++
		}
		ix.updatedAt = time.Now().UTC()
		details["indexedDocuments"] = indexed
		return details, nil
	})
	return nil
}

// inferPrimaryKey is milli's inference: the one field whose name ends with "id".
func inferPrimaryKey(docs []*jsonObject) string {
	if len(docs) == 0 {
		return ""
	}
	var found []string
	for _, k := range docs[0].keys {
		if strings.HasSuffix(strings.ToLower(k), "id") {
			found = append(found, k)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

func (s *Server) deleteDocuments(w http.ResponseWriter, r *http.Request, uid string, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	arr, ok := v.([]any)
	if !ok {
		return typeError("bad_request", "", "an array", v)
	}
	ids := make([]string, len(arr))
	for i, e := range arr {
		switch t := e.(type) {
		case string:
			ids[i] = t
		case json.Number:
			ids[i] = t.String()
		default:
			b, _ := marshal(e)
			return newErrorf("invalid_document_id", "Document identifier `%s` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_), and can not be more than 511 bytes.", b)
		}
	}
	s.enqueue(w, "documentDeletion", &uid, nil, func() (map[string]any, *apiError) {
		details := map[string]any{"providedIds": len(ids), "deletedDocuments": 0}
		ix, ok := s.indexes[uid]
		if !ok {
			return details, indexNotFound(uid)
		}
		deleted := 0
		for _, id := range ids {
			if _, ok := ix.docs[id]; ok {
				delete(ix.docs, id)
				deleted++
			}
		}
		details["deletedDocuments"] = deleted
		return details, nil
	})
	return nil
}

func (s *Server) listDocuments(w http.ResponseWriter, r *http.Request, ix *index) {
	q := r.URL.Query()
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit := 20
	if l, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = l
	}
	docs := make([]*document, 0, len(ix.docs))
	for _, d := range ix.docs {
		docs = append(docs, d)
	}
	slices.SortFunc(docs, func(a, b *document) int { return a.internal - b.internal })
	results := []json.RawMessage{}
	for i := offset; i < min(len(docs), offset+limit); i++ {
		results = append(results, docs[i].raw)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "offset": offset, "limit": limit, "total": len(docs)})
}
