package meilitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// This file reproduces how Meilisearch reads a JSON body: deserr with
// deny_unknown_fields, one error code per field, and deserr's messages.
//
// Read from the sources:
//   - meilisearch/deserr (v0.6), src/errors/json.rs: the messages
//     ("Unknown field `x` inside `.a`: expected one of …", "Invalid value type
//     at `.a`: expected …, but found …", "Unknown value …") and
//     src/errors/helpers.rs (did_you_mean: Damerau-Levenshtein, a budget that
//     grows with the length of the received key);
//   - meilisearch v1.45.1, crates/meilisearch-types/src/deserr/mod.rs: an
//     error takes the code of the field that holds it (DeserrJsonError<C>);
//     without one, bad_request.

// kind is the Rust type a field deserializes to, as far as deserr's
// accepted value kinds go.
type kind uint8

const (
	kindBool       kind = iota + 1 // bool
	kindString                     // String
	kindUint                       // usize, u64: a positive integer
	kindUint8                      // u8
	kindNonZero                    // NonZeroUsize
	kindFloat                      // f64
	kindStrings                    // Vec<String>, BTreeSet<String>
	kindSynonyms                   // BTreeMap<String, Vec<String>>
	kindEnumMap                    // BTreeMap<String, enum>
	kindObject                     // a struct
	kindObjects                    // Vec<struct>
	kindEnum                       // a unit enum
	kindEnums                      // Vec<enum>
	kindAny                        // serde_json::Value
	kindIndexUids                  // Vec<IndexUid>
	kindFilterable                 // Vec<FilterableAttributesRule>: strings or {attributePatterns, features}
)

// field is one field of a struct read by deserr.
type field struct {
	name     string
	code     string // the field's error code; "" keeps the enclosing one
	kind     kind
	nullable bool // Setting<T> or Option<T>: null is accepted
	obj      *object
	enum     []string
	required string // the code of the missing-field error when the field is required
}

// object is a struct read with deny_unknown_fields (or not).
type object struct {
	fields []field
	allow  bool // unknown fields ignored (no deny_unknown_fields)
}

func (o *object) names() []string {
	out := make([]string, len(o.fields))
	for i, f := range o.fields {
		out[i] = f.name
	}
	return out
}

func (o *object) field(name string) (field, bool) {
	for _, f := range o.fields {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// jsonObject is a decoded JSON object that keeps the order of its keys:
// deserr reports the first unknown key in document order.
type jsonObject struct {
	keys []string
	vals map[string]any
}

// MarshalJSON writes the object back with its keys in order.
func (o *jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		vb, err := marshal(o.vals[k])
		if err != nil {
			return nil, err
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// decodeJSON decodes one JSON value, objects as *jsonObject and numbers as
// json.Number. It fails on trailing data, as serde_json does.
func decodeJSON(body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing characters")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &jsonObject{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := o.vals[k]; !dup {
					o.keys = append(o.keys, k)
				}
				o.vals[k] = v
			}
			_, err := dec.Token()
			return o, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// marshal writes v as serde_json does: compact, "<" and "&" unescaped.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// valueKind names the kind of a JSON value as deserr's ValueKind does.
func valueKind(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		s := t.String()
		if strings.ContainsAny(s, ".eE") {
			return "a number"
		}
		if strings.HasPrefix(s, "-") {
			return "a negative integer"
		}
		return "a positive integer"
	case string:
		return "a string"
	case []any:
		return "an array"
	case *jsonObject:
		return "an object"
	}
	return "a different value"
}

// describe is deserr's value_description_with_kind_json.
func describe(v any) string {
	if v == nil {
		return "null"
	}
	b, _ := marshal(v)
	return valueKind(v) + ": `" + string(b) + "`"
}

// pointer is a location in the JSON document: ".a.b[2]".
type pointer string

func (p pointer) key(k string) pointer { return p + pointer("."+k) }
func (p pointer) index(i int) pointer  { return p + pointer(fmt.Sprintf("[%d]", i)) }

// at is deserr's location_json_description: empty at the origin.
func (p pointer) at(article string) string {
	if p == "" {
		return ""
	}
	return article + " `" + string(p) + "`"
}

func typeError(code string, p pointer, expected string, v any) *apiError {
	return newError(code, fmt.Sprintf("Invalid value type%s: expected %s, but found %s", p.at(" at"), expected, describe(v)))
}

func valueError(code string, p pointer, msg string) *apiError {
	return newError(code, fmt.Sprintf("Invalid value%s: %s", p.at(" at"), msg))
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}

// check validates v against obj, the root of a request body, with code
// the error code of the root (bad_request for most routes).
func check(v any, obj *object, code string) *apiError {
	return checkObject(v, obj, code, "")
}

func checkObject(v any, obj *object, code string, p pointer) *apiError {
	o, ok := v.(*jsonObject)
	if !ok {
		return typeError(code, p, "an object", v)
	}
	for _, k := range o.keys {
		f, known := obj.field(k)
		if !known {
			if obj.allow {
				continue
			}
			return newError(code, fmt.Sprintf("Unknown field `%s`%s: %sexpected one of %s",
				k, p.at(" inside"), didYouMean(k, obj.names()), quoteList(obj.names())))
		}
		fcode := f.code
		if fcode == "" {
			fcode = code
		}
		if err := checkField(o.vals[k], f, fcode, p.key(k)); err != nil {
			return err
		}
	}
	for _, f := range obj.fields {
		if _, present := o.vals[f.name]; !present && f.required != "" {
			return newError(f.required, fmt.Sprintf("Missing field `%s`%s", f.name, p.at(" inside")))
		}
	}
	return nil
}

func checkField(v any, f field, code string, p pointer) *apiError {
	if v == nil {
		if f.nullable {
			return nil
		}
	}
	switch f.kind {
	case kindBool:
		if _, ok := v.(bool); !ok {
			return typeError(code, p, "a boolean", v)
		}
	case kindString:
		if _, ok := v.(string); !ok {
			return typeError(code, p, "a string", v)
		}
	case kindUint, kindUint8, kindNonZero:
		if valueKind(v) != "a positive integer" {
			return typeError(code, p, "a positive integer", v)
		}
		n := v.(json.Number).String()
		if f.kind == kindUint8 && (len(n) > 3 || n > "255" && len(n) == 3) {
			return valueError(code, p, fmt.Sprintf("value: `%s` is too large to be deserialized, maximum value authorized is `255`", n))
		}
		if f.kind == kindNonZero && strings.TrimLeft(n, "0") == "" {
			return valueError(code, p, "a non-zero integer value lower than `18446744073709551615` was expected, but found a zero")
		}
	case kindFloat:
		if _, ok := v.(json.Number); !ok {
			return typeError(code, p, "a number", v)
		}
	case kindStrings, kindEnums, kindIndexUids:
		arr, ok := v.([]any)
		if !ok {
			return typeError(code, p, "an array", v)
		}
		for i, e := range arr {
			s, ok := e.(string)
			if !ok {
				return typeError(code, p.index(i), "a string", e)
			}
			if f.kind == kindEnums && !slices.Contains(f.enum, s) {
				return unknownValue(code, p.index(i), s, f.enum)
			}
			if f.kind == kindIndexUids && !validUID(s) {
				return valueError(code, p.index(i), invalidUIDMessage(s))
			}
		}
	case kindSynonyms, kindEnumMap:
		o, ok := v.(*jsonObject)
		if !ok {
			return typeError(code, p, "an object", v)
		}
		for _, k := range o.keys {
			e := o.vals[k]
			if f.kind == kindEnumMap {
				s, ok := e.(string)
				if !ok {
					return typeError(code, p.key(k), "a string", e)
				}
				if !slices.Contains(f.enum, s) {
					return unknownValue(code, p.key(k), s, f.enum)
				}
				continue
			}
			if err := checkField(e, field{kind: kindStrings}, code, p.key(k)); err != nil {
				return err
			}
		}
	case kindObject:
		return checkObject(v, f.obj, code, p)
	case kindObjects:
		arr, ok := v.([]any)
		if !ok {
			return typeError(code, p, "an array", v)
		}
		for i, e := range arr {
			if err := checkObject(e, f.obj, code, p.index(i)); err != nil {
				return err
			}
		}
	case kindEnum:
		s, ok := v.(string)
		if !ok {
			return typeError(code, p, "a string", v)
		}
		if !slices.Contains(f.enum, s) {
			return unknownValue(code, p, s, f.enum)
		}
	case kindFilterable:
		arr, ok := v.([]any)
		if !ok {
			return typeError(code, p, "an array", v)
		}
		for i, e := range arr {
			if _, ok := e.(string); ok {
				continue
			}
			if err := checkObject(e, filterableRuleV1_45, code, p.index(i)); err != nil {
				return err
			}
		}
	case kindAny:
	}
	return nil
}

func unknownValue(code string, p pointer, value string, accepted []string) *apiError {
	return newError(code, fmt.Sprintf("Unknown value `%s`%s: %sexpected one of %s",
		value, p.at(" at"), didYouMean(value, accepted), quoteList(accepted)))
}

// didYouMean is deserr's helper: the closest accepted name within a typo
// budget that grows with the length of what was received.
func didYouMean(received string, accepted []string) string {
	var budget int
	switch n := len(received); {
	case n <= 3:
		return ""
	case n <= 7:
		budget = 1
	case n <= 12:
		budget = 2
	case n <= 17:
		budget = 3
	case n <= 24:
		budget = 4
	default:
		budget = 5
	}
	best, bestD := "", budget+1
	for _, a := range accepted {
		if d := damerauLevenshtein(received, a); d <= budget && d < bestD {
			best, bestD = a, d
		}
	}
	if best == "" {
		return ""
	}
	return "did you mean `" + best + "`? "
}

// damerauLevenshtein is the unrestricted Damerau-Levenshtein distance
// (strsim::damerau_levenshtein) between a and b, by runes.
func damerauLevenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n, m := len(ra), len(rb)
	maxDist := n + m
	last := map[rune]int{}
	d := make([][]int, n+2)
	for i := range d {
		d[i] = make([]int, m+2)
	}
	d[0][0] = maxDist
	for i := 0; i <= n; i++ {
		d[i+1][0] = maxDist
		d[i+1][1] = i
	}
	for j := 0; j <= m; j++ {
		d[0][j+1] = maxDist
		d[1][j+1] = j
	}
	for i := 1; i <= n; i++ {
		db := 0
		for j := 1; j <= m; j++ {
			i1, j1 := last[rb[j-1]], db
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost, db = 0, j
			}
			d[i+1][j+1] = min(d[i][j]+cost, d[i+1][j]+1, d[i][j+1]+1, d[i1][j1]+(i-i1-1)+1+(j-j1-1))
		}
		last[ra[i-1]] = i
	}
	return d[n+1][m+1]
}
