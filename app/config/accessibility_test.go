package config

import (
	"errors"
	"testing"
)

func TestAccessibilityContact(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.AccessibilityContact != "" {
		t.Fatalf("default: %q, %v", c.AccessibilityContact, err)
	}
	c, err = Load(env(map[string]string{"ACCESSIBILITY_CONTACT": " accessibilite@exemple.gouv.fr "}))
	if err != nil || c.AccessibilityContact != "accessibilite@exemple.gouv.fr" {
		t.Fatalf("address: %q, %v", c.AccessibilityContact, err)
	}
	for _, bad := range []string{"accessibilite", "Équipe <a@exemple.fr>", "a@", "a@exemple.fr, b@exemple.fr"} {
		_, err := Load(env(map[string]string{"ACCESSIBILITY_CONTACT": bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "ACCESSIBILITY_CONTACT" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
