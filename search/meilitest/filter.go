package meilitest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The filter expressions of a search: the grammar of milli's filter parser
// (v1.45.1 crates/filter-parser/src/lib.rs: or = and ("OR" and)*, and = not
// ("AND" not)*, not = "NOT" not | primary, primary = "(" expression ")" |
// in | not in | condition | exists | is null | is empty | to; value.rs:
// unquoted values are made of alphanumerics, "_", "-" and "."; quoted ones
// use ' or " with backslash escapes; AND OR IN NOT TO EXISTS IS are
// reserved). Geo, vector, CONTAINS and _foreign filters are not implemented:
// the double answers them with invalid_search_filter.

type filterNode struct {
	op       string // and, or, not, cmp, in, exists, null, empty, to
	children []*filterNode
	attr     filterValue
	cmp      string // = != > >= < <=
	values   []filterValue
}

// filterValue is a value of the expression and where it sits (for errors).
type filterValue struct {
	s          string
	start, end int
}

type filterParser struct {
	src string
	i   int
}

func (p *filterParser) errorf(start, end int, format string, args ...any) *apiError {
	return newErrorf("invalid_search_filter", format+"\n%d:%d %s", append(args, start+1, end+1, p.src)...)
}

func (p *filterParser) skipSpace() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t' || p.src[p.i] == '\n' || p.src[p.i] == '\r') {
		p.i++
	}
}

// keyword consumes the reserved word kw when it comes next.
func (p *filterParser) keyword(kw string) bool {
	p.skipSpace()
	if !strings.HasPrefix(p.src[p.i:], kw) {
		return false
	}
	rest := p.src[p.i+len(kw):]
	if rest != "" {
		r := []rune(rest)[0]
		if isValueRune(r) {
			return false
		}
	}
	p.i += len(kw)
	return true
}

func isValueRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.'
}

var reserved = map[string]bool{"AND": true, "OR": true, "IN": true, "NOT": true, "TO": true, "EXISTS": true, "IS": true, "NULL": true, "EMPTY": true, "CONTAINS": true, "STARTS": true}

func (p *filterParser) value() (filterValue, bool) {
	p.skipSpace()
	start := p.i
	if p.i < len(p.src) && (p.src[p.i] == '"' || p.src[p.i] == '\'') {
		q := p.src[p.i]
		var b strings.Builder
		for j := p.i + 1; j < len(p.src); j++ {
			c := p.src[j]
			if c == '\\' && j+1 < len(p.src) {
				b.WriteByte(p.src[j+1])
				j++
				continue
			}
			if c == q {
				p.i = j + 1
				return filterValue{s: b.String(), start: start, end: p.i}, true
			}
			b.WriteByte(c)
		}
		return filterValue{}, false
	}
	j := p.i
	for _, r := range p.src[p.i:] {
		if !isValueRune(r) {
			break
		}
		j += len(string(r))
	}
	word := p.src[p.i:j]
	if word == "" || reserved[word] {
		return filterValue{}, false
	}
	p.i = j
	return filterValue{s: word, start: start, end: j}, true
}

func (p *filterParser) expectOperation(at int) *apiError {
	return p.errorf(at, len(p.src), "Was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `TO`, `EXISTS`, `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, `CONTAINS`, `NOT CONTAINS`, `STARTS WITH`, `NOT STARTS WITH`, `_geoRadius`, `_geoBoundingBox` or `_geoPolygon` at `%s`.", strings.TrimSpace(p.src[at:]))
}

func (p *filterParser) or() (*filterNode, *apiError) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	n := &filterNode{op: "or", children: []*filterNode{first}}
	for p.keyword("OR") {
		next, err := p.and()
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, next)
	}
	if len(n.children) == 1 {
		return first, nil
	}
	return n, nil
}

func (p *filterParser) and() (*filterNode, *apiError) {
	first, err := p.not()
	if err != nil {
		return nil, err
	}
	n := &filterNode{op: "and", children: []*filterNode{first}}
	for p.keyword("AND") {
		next, err := p.not()
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, next)
	}
	if len(n.children) == 1 {
		return first, nil
	}
	return n, nil
}

func (p *filterParser) not() (*filterNode, *apiError) {
	save := p.i
	if p.keyword("NOT") {
		// "NOT x" is a negation unless it is "x NOT IN" or "x NOT EXISTS" (a value first).
		inner, err := p.not()
		if err == nil {
			return &filterNode{op: "not", children: []*filterNode{inner}}, nil
		}
		p.i = save
	}
	return p.primary()
}

func (p *filterParser) primary() (*filterNode, *apiError) {
	p.skipSpace()
	start := p.i
	if p.i < len(p.src) && p.src[p.i] == '(' {
		p.i++
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.src) || p.src[p.i] != ')' {
			return nil, p.errorf(start, len(p.src), "Expression `%s` is missing the following closing delimiter: `)`.", strings.TrimSpace(p.src[start:]))
		}
		p.i++
		return n, nil
	}
	attr, ok := p.value()
	if !ok {
		return nil, p.expectOperation(start)
	}
	p.skipSpace()
	rest := p.src[p.i:]
	for _, op := range []string{"!=", ">=", "<=", "=", ">", "<"} {
		if strings.HasPrefix(rest, op) {
			p.i += len(op)
			v, ok := p.value()
			if !ok {
				return nil, p.expectOperation(start)
			}
			return &filterNode{op: "cmp", attr: attr, cmp: op, values: []filterValue{v}}, nil
		}
	}
	switch {
	case p.keyword("IN"):
		return p.in(attr, false, start)
	case p.keyword("EXISTS"):
		return &filterNode{op: "exists", attr: attr}, nil
	case p.keyword("IS"):
		negate := p.keyword("NOT")
		var n *filterNode
		switch {
		case p.keyword("NULL"):
			n = &filterNode{op: "null", attr: attr}
		case p.keyword("EMPTY"):
			n = &filterNode{op: "empty", attr: attr}
		default:
			return nil, p.expectOperation(start)
		}
		if negate {
			n = &filterNode{op: "not", children: []*filterNode{n}}
		}
		return n, nil
	case p.keyword("NOT"):
		switch {
		case p.keyword("IN"):
			return p.in(attr, true, start)
		case p.keyword("EXISTS"):
			return &filterNode{op: "not", children: []*filterNode{{op: "exists", attr: attr}}}, nil
		}
		return nil, p.expectOperation(start)
	}
	// value TO value
	save := p.i
	if from, ok := p.value(); ok && p.keyword("TO") {
		if to, ok := p.value(); ok {
			return &filterNode{op: "to", attr: attr, values: []filterValue{from, to}}, nil
		}
	}
	p.i = save
	return nil, p.expectOperation(start)
}

func (p *filterParser) in(attr filterValue, negate bool, start int) (*filterNode, *apiError) {
	p.skipSpace()
	if p.i >= len(p.src) || p.src[p.i] != '[' {
		return nil, p.errorf(start, len(p.src), "Expected `[` after `IN` keyword.")
	}
	p.i++
	n := &filterNode{op: "in", attr: attr}
	for {
		p.skipSpace()
		if p.i < len(p.src) && p.src[p.i] == ']' {
			p.i++
			break
		}
		v, ok := p.value()
		if !ok {
			return nil, p.errorf(start, len(p.src), "Expected only comma-separated field names inside `IN[..]` but instead found `%s`.", strings.TrimSpace(p.src[p.i:]))
		}
		n.values = append(n.values, v)
		p.skipSpace()
		if p.i < len(p.src) && p.src[p.i] == ',' {
			p.i++
		}
	}
	if negate {
		return &filterNode{op: "not", children: []*filterNode{n}}, nil
	}
	return n, nil
}

// parseFilterString parses one filter expression.
func parseFilterString(src string) (*filterNode, *apiError) {
	p := &filterParser{src: src}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.i < len(p.src) {
		return nil, p.errorf(p.i, len(p.src), "Found unexpected characters at the end of the filter: `%s`. You probably forgot an `OR` or an `AND` rule.", p.src[p.i:])
	}
	return n, nil
}

// parseFilter reads the filter parameter: a string, or an array whose
// elements are ANDed, each a string or an array of ORed strings.
func parseFilter(v any) (*filterNode, *apiError) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case string:
		if strings.TrimSpace(t) == "" {
			return nil, nil
		}
		return parseFilterString(t)
	case []any:
		and := &filterNode{op: "and"}
		for _, e := range t {
			switch et := e.(type) {
			case string:
				n, err := parseFilter(et)
				if err != nil {
					return nil, err
				}
				if n != nil {
					and.children = append(and.children, n)
				}
			case []any:
				or := &filterNode{op: "or"}
				for _, o := range et {
					s, ok := o.(string)
					if !ok {
						return nil, newErrorf("invalid_search_filter", "Invalid syntax for the filter parameter: `expected String, found: %s`.", compact(o))
					}
					n, err := parseFilter(s)
					if err != nil {
						return nil, err
					}
					if n != nil {
						or.children = append(or.children, n)
					}
				}
				and.children = append(and.children, or)
			default:
				return nil, newErrorf("invalid_search_filter", "Invalid syntax for the filter parameter: `expected String, Array, found: %s`.", compact(e))
			}
		}
		return and, nil
	}
	return nil, newErrorf("invalid_search_filter", "Invalid syntax for the filter parameter: `expected String, Array, found: %s`.", compact(v))
}

func compact(v any) string {
	b, _ := marshal(v)
	return string(b)
}

// attrs lists the attributes the filter reads.
func (n *filterNode) attrs(out []filterValue) []filterValue {
	if n == nil {
		return out
	}
	if n.attr.s != "" {
		out = append(out, n.attr)
	}
	for _, c := range n.children {
		out = c.attrs(out)
	}
	return out
}

// match evaluates the filter on a document.
func (n *filterNode) match(doc map[string]any) bool {
	if n == nil {
		return true
	}
	switch n.op {
	case "and":
		for _, c := range n.children {
			if !c.match(doc) {
				return false
			}
		}
		return true
	case "or":
		for _, c := range n.children {
			if c.match(doc) {
				return true
			}
		}
		return len(n.children) == 0
	case "not":
		return !n.children[0].match(doc)
	case "exists":
		_, ok := doc[n.attr.s]
		return ok
	case "null":
		v, ok := doc[n.attr.s]
		return ok && v == nil
	case "empty":
		v, ok := doc[n.attr.s]
		if !ok {
			return false
		}
		switch t := v.(type) {
		case string:
			return t == ""
		case []any:
			return len(t) == 0
		case *jsonObject:
			return len(t.keys) == 0
		}
		return false
	case "in":
		for _, want := range n.values {
			if anyValue(doc[n.attr.s], func(v any) bool { return facetEqual(v, want.s) }) {
				return true
			}
		}
		return false
	case "to":
		from, err1 := strconv.ParseFloat(n.values[0].s, 64)
		to, err2 := strconv.ParseFloat(n.values[1].s, 64)
		return err1 == nil && err2 == nil && anyValue(doc[n.attr.s], func(v any) bool {
			f, ok := number(v)
			return ok && f >= from && f <= to
		})
	case "cmp":
		want := n.values[0].s
		switch n.cmp {
		case "=":
			return anyValue(doc[n.attr.s], func(v any) bool { return facetEqual(v, want) })
		case "!=":
			return !anyValue(doc[n.attr.s], func(v any) bool { return facetEqual(v, want) })
		}
		w, err := strconv.ParseFloat(want, 64)
		if err != nil {
			return false
		}
		return anyValue(doc[n.attr.s], func(v any) bool {
			f, ok := number(v)
			if !ok {
				return false
			}
			switch n.cmp {
			case ">":
				return f > w
			case ">=":
				return f >= w
			case "<":
				return f < w
			default:
				return f <= w
			}
		})
	}
	return false
}

// anyValue applies fn to a value or to each element of an array.
func anyValue(v any, fn func(any) bool) bool {
	if arr, ok := v.([]any); ok {
		for _, e := range arr {
			if fn(e) {
				return true
			}
		}
		return false
	}
	return v != nil && fn(v)
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// facetEqual compares a document value with a filter value: as numbers
// when both are, else as facet strings (lower case, as milli normalizes
// facet values).
func facetEqual(v any, want string) bool {
	if f, ok := number(v); ok {
		w, err := strconv.ParseFloat(want, 64)
		return err == nil && f == w
	}
	switch t := v.(type) {
	case string:
		return strings.EqualFold(strings.TrimSpace(t), strings.TrimSpace(want))
	case bool:
		return fmt.Sprint(t) == want
	}
	return false
}
