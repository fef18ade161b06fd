package synthesis

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// words splits text into lower-case words of letters and digits; elisions
// (l', d', qu') become words of their own, dropped later as stop words.
// Punctuation and line ends give an empty word: a break in the text.
func words(text string, fn func(w string)) {
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		fn(strings.ToLower(text[start:end]))
		start = -1
	}
	for i, r := range text {
		if r < utf8.RuneSelf && asciiAlnum[r] || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		if r != '\'' && r != '’' && r != '-' && (unicode.IsPunct(r) || r == '\n') {
			fn("") // a break between sentences or clauses
		}
	}
	flush(len(text))
}

// asciiAlnum tells the ASCII letters and digits (the rest of Unicode is
// asked to package unicode).
var asciiAlnum = func() (t [utf8.RuneSelf]bool) {
	for r := range t {
		t[r] = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return t
}()
