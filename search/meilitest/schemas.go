package meilitest

import "strings"

// The request bodies the double reads, per server version. Field names,
// order (deserr lists them in declaration order), error codes and
// nullability come from these files of github.com/meilisearch/meilisearch:
//
//	v1.45.1 crates/meilisearch-types/src/settings.rs      Settings, TypoSettings, MinWordSizeTyposSetting,
//	                                                       FacetingSettings, PaginationSettings
//	v1.45.1 crates/meilisearch-types/src/locales.rs       LocalizedAttributesRuleView, Locale
//	v1.45.1 crates/milli/src/filterable_attributes_rules.rs FilterableAttributesPatterns, features
//	v1.45.1 crates/meilisearch/src/search/mod.rs          SearchQuery, MatchingStrategy
//	v1.45.1 crates/meilisearch/src/routes/swap_indexes.rs SwapIndexesPayload (indexes, rename)
//	v1.45.1 crates/meilisearch/src/routes/indexes/mod.rs  IndexCreateRequest
//	v1.45.1 crates/meilisearch/src/routes/indexes/documents.rs UpdateDocumentsQuery
//	v1.11.3 meilisearch-types/src/settings.rs, meilisearch/src/search/mod.rs,
//	        meilisearch/src/routes/swap_indexes.rs, meilisearch/src/routes/indexes/documents.rs
//	        (the version docker-compose pinned before: no disableOnNumbers, no rename,
//	        no skipCreation nor customMetadata)

// schema is what one server version accepts.
type schema struct {
	version      string
	settings     *object
	search       *object
	swap         *object
	createIndex  *object
	addDocParams []string // query parameters of POST /indexes/{uid}/documents
	rankingRules []string // built-in ranking rules
	defaultRules []string
}

// Versions of the schemas the double knows.
const (
	// Version is the pinned server version (search.MeiliServerVersion).
	Version = "1.45.1"
	// OldVersion is the version docker-compose pinned before: kept to show
	// that the client of go.mod could not speak to it.
	OldVersion = "1.11.3"
)

func schemaFor(version string) *schema {
	if version == OldVersion {
		return schemaV1_11
	}
	return schemaV1_45
}

var (
	facetSorts       = []string{"alpha", "count"}
	matchingStrategy = []string{"last", "all", "frequency"}
	locales          = localeNames()
)

// localeNames lists the Locale variants (ISO 639-1, then 639-3, then cmn).
func localeNames() []string {
	pairs := strings.Fields(`af afr ak aka am amh ar ara az aze be bel bn ben bg bul ca cat cs ces da dan de deu el ell
en eng eo epo et est fi fin fr fra gu guj he heb hi hin hr hrv hu hun hy hye id ind it ita jv jav ja jpn kn kan ka kat
km khm ko kor la lat lv lav lt lit ml mal mr mar mk mkd my mya ne nep nl nld nb nob or ori pa pan fa pes pl pol pt por
ro ron ru rus si sin sk slk sl slv sn sna es spa sr srp sv swe ta tam te tel tl tgl th tha tk tuk tr tur uk ukr ur urd
uz uzb vi vie yi yid zh zho zu zul`)
	var one, three []string
	for i := 0; i+1 < len(pairs); i += 2 {
		one, three = append(one, pairs[i]), append(three, pairs[i+1])
	}
	return append(append(one, three...), "cmn")
}

var localizedAttributes = &object{allow: true, fields: []field{
	{name: "attributePatterns", kind: kindStrings},
	{name: "locales", kind: kindEnums, enum: locales},
}}

var filterableRuleV1_45 = &object{fields: []field{
	{name: "attributePatterns", kind: kindStrings},
	{name: "features", kind: kindObject, obj: &object{fields: []field{
		{name: "facetSearch", kind: kindBool},
		{name: "filter", kind: kindObject, obj: &object{fields: []field{
			{name: "equality", kind: kindBool},
			{name: "comparison", kind: kindBool},
		}}},
	}}},
}}

func typoObject(withNumbers bool) *object {
	o := &object{fields: []field{
		{name: "enabled", kind: kindBool, nullable: true},
		{name: "minWordSizeForTypos", kind: kindObject, nullable: true, obj: &object{fields: []field{
			{name: "oneTypo", kind: kindUint8, nullable: true},
			{name: "twoTypos", kind: kindUint8, nullable: true},
		}}},
		{name: "disableOnWords", kind: kindStrings, nullable: true},
		{name: "disableOnAttributes", kind: kindStrings, nullable: true},
	}}
	if withNumbers {
		o.fields = append(o.fields, field{name: "disableOnNumbers", kind: kindBool, nullable: true})
	}
	return o
}

var faceting = &object{fields: []field{
	{name: "maxValuesPerFacet", kind: kindUint, nullable: true},
	{name: "sortFacetValuesBy", kind: kindEnumMap, nullable: true, enum: facetSorts},
}}

var pagination = &object{fields: []field{
	{name: "maxTotalHits", kind: kindNonZero, nullable: true},
}}

// setting is a top-level settings field: Setting<T>, null resets it.
func setting(name string, k kind) field {
	return field{name: name, code: "invalid_settings_" + snake(name), kind: k, nullable: true}
}

func snake(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteByte('_')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func settingsObject(v145 bool) *object {
	typo := setting("typoTolerance", kindObject)
	typo.obj = typoObject(v145)
	fac := setting("faceting", kindObject)
	fac.obj = faceting
	pag := setting("pagination", kindObject)
	pag.obj = pagination
	loc := setting("localizedAttributes", kindObjects)
	loc.obj = localizedAttributes
	prox := setting("proximityPrecision", kindEnum)
	prox.enum = []string{"byWord", "byAttribute"}
	filterable := setting("filterableAttributes", kindStrings)
	if v145 {
		filterable.kind = kindFilterable
	}
	fields := []field{
		setting("displayedAttributes", kindStrings),
		setting("searchableAttributes", kindStrings),
		filterable,
		setting("sortableAttributes", kindStrings),
	}
	if v145 {
		fields = append(fields, setting("foreignKeys", kindAny))
	}
	fields = append(fields,
		setting("rankingRules", kindStrings),
		setting("stopWords", kindStrings),
		setting("nonSeparatorTokens", kindStrings),
		setting("separatorTokens", kindStrings),
		setting("dictionary", kindStrings),
		setting("synonyms", kindSynonyms),
		setting("distinctAttribute", kindString),
		prox, typo, fac, pag,
		setting("embedders", kindAny),
		setting("searchCutoffMs", kindUint),
		loc,
	)
	if v145 {
		prefix := setting("prefixSearch", kindEnum)
		prefix.enum = []string{"indexingTime", "disabled"}
		chat := setting("chat", kindAny)
		chat.code = "invalid_settings_index_chat"
		fields = append(fields, setting("facetSearch", kindBool), prefix, chat)
	}
	return &object{fields: fields}
}

// searchField is a field of SearchQuery with its invalid_search_* code.
func searchField(name string, k kind, nullable bool) field {
	return field{name: name, code: "invalid_search_" + snake(name), kind: k, nullable: nullable}
}

func searchObject(v145 bool) *object {
	f := map[string]field{
		"q":                       searchField("q", kindString, true),
		"vector":                  searchField("vector", kindAny, true),
		"hybrid":                  {name: "hybrid", code: "invalid_search_hybrid_query", kind: kindAny, nullable: true},
		"offset":                  searchField("offset", kindUint, false),
		"limit":                   searchField("limit", kindUint, false),
		"page":                    searchField("page", kindUint, true),
		"hitsPerPage":             searchField("hitsPerPage", kindUint, true),
		"attributesToRetrieve":    searchField("attributesToRetrieve", kindStrings, true),
		"retrieveVectors":         searchField("retrieveVectors", kindBool, false),
		"attributesToCrop":        searchField("attributesToCrop", kindStrings, true),
		"cropLength":              searchField("cropLength", kindUint, false),
		"cropMarker":              searchField("cropMarker", kindString, false),
		"attributesToHighlight":   searchField("attributesToHighlight", kindStrings, true),
		"highlightPreTag":         searchField("highlightPreTag", kindString, false),
		"highlightPostTag":        searchField("highlightPostTag", kindString, false),
		"showMatchesPosition":     searchField("showMatchesPosition", kindBool, false),
		"showRankingScore":        searchField("showRankingScore", kindBool, false),
		"showRankingScoreDetails": searchField("showRankingScoreDetails", kindBool, false),
		"showPerformanceDetails":  searchField("showPerformanceDetails", kindBool, false),
		"filter":                  searchField("filter", kindAny, true),
		"sort":                    searchField("sort", kindStrings, true),
		"distinct":                searchField("distinct", kindString, true),
		"facets":                  searchField("facets", kindStrings, true),
		"matchingStrategy":        {name: "matchingStrategy", code: "invalid_search_matching_strategy", kind: kindEnum, enum: matchingStrategy},
		"attributesToSearchOn":    searchField("attributesToSearchOn", kindStrings, true),
		"rankingScoreThreshold":   searchField("rankingScoreThreshold", kindFloat, true),
		"locales":                 {name: "locales", code: "invalid_search_locales", kind: kindEnums, nullable: true, enum: locales},
		"media":                   searchField("media", kindAny, true),
		"personalize":             searchField("personalize", kindAny, true),
		"useNetwork":              searchField("useNetwork", kindBool, true),
	}
	order := `q vector hybrid offset limit page hitsPerPage attributesToRetrieve retrieveVectors attributesToCrop
cropLength attributesToHighlight showMatchesPosition showRankingScore showRankingScoreDetails filter sort distinct
facets highlightPreTag highlightPostTag cropMarker matchingStrategy attributesToSearchOn rankingScoreThreshold locales`
	if v145 {
		order = `q offset limit page hitsPerPage attributesToRetrieve attributesToCrop cropLength cropMarker
attributesToHighlight highlightPreTag highlightPostTag showMatchesPosition filter sort distinct facets matchingStrategy
attributesToSearchOn rankingScoreThreshold locales hybrid vector retrieveVectors media personalize useNetwork
showRankingScore showRankingScoreDetails showPerformanceDetails`
	}
	o := &object{}
	for _, name := range strings.Fields(order) {
		o.fields = append(o.fields, f[name])
	}
	return o
}

func swapObject(v145 bool) *object {
	o := &object{fields: []field{{name: "indexes", code: "invalid_swap_indexes", kind: kindIndexUids, required: "missing_swap_indexes"}}}
	if v145 {
		o.fields = append(o.fields, field{name: "rename", code: "invalid_swap_rename", kind: kindBool})
	}
	return o
}

var createIndex = &object{fields: []field{
	{name: "uid", code: "invalid_index_uid", kind: kindString, required: "missing_index_uid"},
	{name: "primaryKey", code: "invalid_index_primary_key", kind: kindString, nullable: true},
}}

var (
	schemaV1_45 = &schema{
		version:      Version,
		settings:     settingsObject(true),
		search:       searchObject(true),
		swap:         swapObject(true),
		createIndex:  createIndex,
		addDocParams: []string{"primaryKey", "csvDelimiter", "customMetadata", "skipCreation"},
		rankingRules: []string{"words", "typo", "proximity", "attribute", "attributeRank", "wordPosition", "sort", "exactness"},
		defaultRules: []string{"words", "typo", "proximity", "attributeRank", "sort", "wordPosition", "exactness"},
	}
	schemaV1_11 = &schema{
		version:      OldVersion,
		settings:     settingsObject(false),
		search:       searchObject(false),
		swap:         swapObject(false),
		createIndex:  createIndex,
		addDocParams: []string{"primaryKey", "csvDelimiter"},
		rankingRules: []string{"words", "typo", "proximity", "attribute", "sort", "exactness"},
		defaultRules: []string{"words", "typo", "proximity", "attribute", "sort", "exactness"},
	}
)
