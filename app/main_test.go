package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// When CONCERTATION_RUN_MAIN is set, the test binary behaves as the program,
// so tests can check the real exit status and output.
func TestMain(m *testing.M) {
	if os.Getenv("CONCERTATION_RUN_MAIN") == "1" {
		os.Args = append([]string{"concertation"}, strings.Fields(os.Getenv("CONCERTATION_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func runMain(t *testing.T, args string, env ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{"CONCERTATION_RUN_MAIN=1", "CONCERTATION_ARGS=" + args, "DATA_DIR=" + t.TempDir()}, env...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		name       string
		args       string
		env        []string
		code       int
		wantOut    string
		wantErr    string
		oneLineErr bool
	}{
		{"help", "help", nil, 0, "concertation serve", "", false},
		{"version", "version", nil, 0, "concertation dev", "", false},
		{"unknown command", "dance", nil, 2, "", "commande inconnue", false},
		{"wrong DATABASE_URL scheme", "serve", []string{"DATABASE_URL=mysql://u@h/db"}, 2, "", "DATABASE_URL", true},
		{"unreachable DATABASE_URL", "migrate", []string{"DATABASE_URL=postgres://nobody@127.0.0.1:1/x"}, 2, "", "DATABASE_URL", true},
		{"wrong ADDR", "serve", []string{"ADDR=nowhere"}, 2, "", "ADDR", true},
		{"https without secret", "serve", []string{"BASE_URL=https://concertation.example.gouv.fr"}, 2, "", "SESSION_SECRET", true},
		{"https without metrics token", "serve", []string{"BASE_URL=https://concertation.example.gouv.fr", "SESSION_SECRET=" + strings.Repeat("s", 32), "METRICS_TOKEN="}, 2, "", "METRICS_TOKEN", true},
		{"unknown rate limit", "serve", []string{"RATE_LIMITS=signin:adresse=3/1m"}, 2, "", "RATE_LIMITS", true},
		{"bad rate limit", "serve", []string{"RATE_LIMITS=signin:ip=trois"}, 2, "", "RATE_LIMITS", true},
		{"openid provider without client", "serve", []string{"OIDC_PROVIDERS=franceconnect", "OIDC_FRANCECONNECT_CLIENT_ID="}, 2, "", "OIDC_FRANCECONNECT_CLIENT_ID", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runMain(t, tt.args, tt.env...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("stdout %q lacks %q", out, tt.wantOut)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q lacks %q", errOut, tt.wantErr)
			}
			if tt.oneLineErr && strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("stderr is not one line: %q", errOut)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace on stderr: %q", errOut)
			}
		})
	}
}
