package account

import (
	"strings"
	"testing"
)

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"empty", "", ErrPasswordTooShort},
		{"7 characters", "abcdefg", ErrPasswordTooShort},
		{"8 characters, no composition rule", "abcdefgh", nil},
		{"8 accented characters count as 8", "éééééééé", nil},
		{"7 accented characters", "ééééééé", ErrPasswordTooShort},
		{"a passphrase", "cheval correct agrafe batterie", nil},
		{"128 characters", strings.Repeat("a", 128), nil},
		{"129 characters", strings.Repeat("a", 129), ErrPasswordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidatePassword(tt.pw); got != tt.want {
				t.Errorf("ValidatePassword(%q) = %v, want %v", tt.pw, got, tt.want)
			}
		})
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("cheval correct")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("not a PHC argon2id string: %s", h)
	}
	h2, _ := HashPassword("cheval correct")
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name string
		phc  string
		pw   string
		want bool
	}{
		{"right password", h, "cheval correct", true},
		{"wrong password", h, "cheval incorrect", false},
		{"empty password", h, "", false},
		{"truncated hash", h[:len(h)-5], "cheval correct", false},
		{"other algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "cheval correct", false},
		{"garbage", "$argon2id$v=19$m=x$y$z", "cheval correct", false},
		{"empty hash", "", "", false},
		{"absurd memory cost", "$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$aGFzaA", "x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.phc, tt.pw); got != tt.want {
				t.Errorf("CheckPassword = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEmailRules(t *testing.T) {
	tests := []struct {
		in, norm string
		valid    bool
	}{
		{"  Alice@Example.FR ", "Alice@example.fr", true},
		{"alice@exemple.fr", "alice@exemple.fr", true},
		{"a.b+tag@sous.domaine.gouv.fr", "a.b+tag@sous.domaine.gouv.fr", true},
		{"", "", false},
		{"alice", "alice", false},
		{"alice@localhost", "alice@localhost", false},
		{"@exemple.fr", "@exemple.fr", false},
		{"alice@@exemple.fr", "alice@@exemple.fr", false},
		{"Alice <alice@exemple.fr>", "Alice <alice@exemple.fr>", false},
		{"alice @exemple.fr", "alice @exemple.fr", false},
		{"alice@exemple.fr\nBcc: x@y.fr", "alice@exemple.fr\nBcc: x@y.fr", false},
		{"alice@.exemple.fr", "alice@.exemple.fr", false},
		{"alice@[127.0.0.1]", "alice@[127.0.0.1]", false},
		{strings.Repeat("a", 250) + "@exemple.fr", strings.Repeat("a", 250) + "@exemple.fr", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n := NormalizeEmail(tt.in)
			if n != tt.norm {
				t.Errorf("NormalizeEmail(%q) = %q, want %q", tt.in, n, tt.norm)
			}
			if err := ValidateEmail(n); (err == nil) != tt.valid {
				t.Errorf("ValidateEmail(%q) = %v, want valid=%v", n, err, tt.valid)
			}
		})
	}
}

func TestCleanDisplayName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"  Marie   Curie ", "Marie Curie", true},
		{"", "", false},
		{"   ", "", false},
		{strings.Repeat("é", 80), strings.Repeat("é", 80), true},
		{strings.Repeat("é", 81), "", false},
	}
	for _, tt := range tests {
		got, err := CleanDisplayName(tt.in)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("CleanDisplayName(%q) = %q, %v", tt.in, got, err)
		}
	}
}

// BenchmarkCheckPassword measures one sign-in's password check (argon2id,
// 19 MiB, 2 passes): the cost an attacker pays per guess, and the server too.
func BenchmarkCheckPassword(b *testing.B) {
	h, _ := HashPassword("cheval correct")
	for b.Loop() {
		CheckPassword(h, "cheval correct")
	}
}
