package meilitest

import (
	"net/http"
	"time"
)

// The index routes that write: POST /indexes, PATCH /indexes/{uid}/settings,
// POST /swap-indexes.

func (s *Server) createIndex(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	if err := check(v, s.sc.createIndex, "bad_request"); err != nil {
		return err
	}
	o := v.(*jsonObject)
	uid := o.vals["uid"].(string)
	if !validUID(uid) {
		return valueError("invalid_index_uid", ".uid", invalidUIDMessage(uid))
	}
	pk, _ := o.vals["primaryKey"].(string)
	s.enqueue(w, "indexCreation", &uid, nil, func() (map[string]any, *apiError) {
		details := map[string]any{"primaryKey": nullable(pk)}
		if _, exists := s.indexes[uid]; exists {
			return details, newErrorf("index_already_exists", "Index `%s` already exists.", uid)
		}
		s.indexes[uid] = newIndex(uid, pk, time.Now().UTC())
		s.indexes[uid].apply(s.sc)
		return details, nil
	})
	return nil
}

func (s *Server) updateSettings(w http.ResponseWriter, r *http.Request, uid string, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	if err := check(v, s.sc.settings, "bad_request"); err != nil {
		return err
	}
	patch := v.(*jsonObject)
	if err := validateSettings(s.sc, patch); err != nil {
		return err
	}
	s.enqueue(w, "settingsUpdate", &uid, nil, func() (map[string]any, *apiError) {
		ix, ok := s.indexes[uid]
		if !ok { // a settings update creates the index (allow_index_creation)
			ix = newIndex(uid, "", time.Now().UTC())
			s.indexes[uid] = ix
		}
		ix.settings = mergeSettings(ix.settings, patch)
		ix.updatedAt = time.Now().UTC()
		ix.apply(s.sc)
		details := map[string]any{}
		for _, k := range patch.keys {
			details[k] = patch.vals[k]
		}
		return details, nil
	})
	return nil
}

// swapIndexes is POST /swap-indexes (v1.45.1 routes/swap_indexes.rs and
// crates/index-scheduler/src/scheduler/process_batch.rs: two indexes per
// swap, each index at most once, missing indexes fail the task with
// index_not_found; with rename the first index takes the name of the
// second, which must not exist).
func (s *Server) swapIndexes(w http.ResponseWriter, r *http.Request, body []byte) *apiError {
	v, err := readJSON(r, body)
	if err != nil {
		return err
	}
	arr, ok := v.([]any)
	if !ok {
		return typeError("bad_request", "", "an array", v)
	}
	type swap struct {
		a, b   string
		rename bool
	}
	var swaps []swap
	seen := map[string]bool{}
	var dup []string
	for i, e := range arr {
		if err := checkObject(e, s.sc.swap, "bad_request", pointer("").index(i)); err != nil {
			return err
		}
		o := e.(*jsonObject)
		uids := strings_(o.vals["indexes"])
		if len(uids) != 2 {
			return newErrorf("invalid_swap_indexes", "Two indexes must be given for each swap. The list `%s` contains %d indexes.", compact(o.vals["indexes"]), len(uids))
		}
		rename, _ := o.vals["rename"].(bool)
		for _, u := range uids {
			if seen[u] {
				dup = append(dup, u)
			}
			seen[u] = true
		}
		swaps = append(swaps, swap{uids[0], uids[1], rename})
	}
	if len(dup) == 1 {
		return newErrorf("invalid_swap_duplicate_index_found", "Indexes must be declared only once during a swap. `%s` was specified several times.", dup[0])
	} else if len(dup) > 1 {
		return newErrorf("invalid_swap_duplicate_index_found", "Indexes must be declared only once during a swap. %s were specified several times.", quoteList(dup))
	}
	s.enqueue(w, "indexSwap", nil, nil, func() (map[string]any, *apiError) {
		var list []any
		var missing []string
		for _, sw := range swaps {
			list = append(list, map[string]any{"indexes": []string{sw.a, sw.b}, "rename": sw.rename})
			if _, ok := s.indexes[sw.a]; !ok {
				missing = append(missing, sw.a)
			}
			if _, ok := s.indexes[sw.b]; !ok && !sw.rename {
				missing = append(missing, sw.b)
			}
		}
		details := map[string]any{"swaps": list}
		if len(missing) == 1 {
			return details, indexNotFound(missing[0])
		} else if len(missing) > 1 {
			return details, newErrorf("index_not_found", "Indexes %s not found.", quoteList(missing))
		}
		for _, sw := range swaps {
			if sw.rename {
				if _, exists := s.indexes[sw.b]; exists {
					return details, newErrorf("index_already_exists", "Cannot rename `%s` to `%s` as the index already exists. Hint: You can remove `%s` first and then do your remove.", sw.a, sw.b, sw.b)
				}
				ix := s.indexes[sw.a]
				delete(s.indexes, sw.a)
				ix.uid = sw.b
				s.indexes[sw.b] = ix
				continue
			}
			a, b := s.indexes[sw.a], s.indexes[sw.b]
			a.uid, b.uid = sw.b, sw.a
			s.indexes[sw.a], s.indexes[sw.b] = b, a
		}
		return details, nil
	})
	return nil
}
