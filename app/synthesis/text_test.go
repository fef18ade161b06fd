package synthesis

import (
	"testing"
)

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1)": "'=SUM(A1)", "+33 6": "'+33 6", "-1": "'-1", "@cmd": "'@cmd", "\tx": "'\tx", "\rx": "'\rx",
		"Former": "Former", "": "", "a=b": "a=b", "'déjà": "'déjà",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatInt(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1\u00a0000", 1234567: "1\u00a0234\u00a0567"} {
		if got := FormatInt(n); got != want {
			t.Errorf("FormatInt(%d) = %q", n, got)
		}
	}
}
