package config

import (
	"errors"
	"testing"
)

func TestModerationReportThreshold(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.ModerationReportThreshold != 3 {
		t.Fatalf("default: %d, %v", c.ModerationReportThreshold, err)
	}
	c, err = Load(env(map[string]string{"MODERATION_REPORT_THRESHOLD": " 5 "}))
	if err != nil || c.ModerationReportThreshold != 5 {
		t.Fatalf("5: %d, %v", c.ModerationReportThreshold, err)
	}
	for _, bad := range []string{"0", "-1", "trois", "1001", "2.5"} {
		_, err := Load(env(map[string]string{"MODERATION_REPORT_THRESHOLD": bad}))
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != "MODERATION_REPORT_THRESHOLD" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
