package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// postmaster is the running server, started by launch as a child of this
// process: its death is known at once (Wait) and it is reaped here, so a new
// server may start on the cluster right away.
type postmaster struct {
	cmd    *exec.Cmd
	exited chan error // receives Wait's result once
}

// launch starts the postmaster as a child process, in its own process group
// (a Ctrl-C in the terminal reaches the app, which stops it cleanly), and
// waits until it accepts connections.
func (e *Embedded) launch(ctx context.Context) error {
	logf, err := os.OpenFile(e.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("journal de PostgreSQL : %w", err)
	}
	defer logf.Close() // the child has its own copy
	cmd := exec.Command(filepath.Join(e.bin, "postgres"), append([]string{"-D", e.cluster}, e.opts...)...)
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: e.cred}
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("démarrage de PostgreSQL impossible : %w", err)
	}
	pm := &postmaster{cmd: cmd, exited: make(chan error, 1)}
	go func() { pm.exited <- cmd.Wait() }()
	ready := make(chan error, 1)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { ready <- e.waitReady(rctx) }()
	select {
	case err := <-ready:
		if err != nil {
			_ = pm.stop()
			return err
		}
		e.setChild(pm)
		return nil
	case err := <-pm.exited:
		pm.exited <- err
		return fmt.Errorf("démarrage de PostgreSQL impossible (voir %s) : %v: %s", e.logFile, err, e.lastLogLine())
	}
}

// stop asks the postmaster for a fast shutdown (sessions ended, committed
// data kept) and waits for it; after a minute it asks for an immediate one.
func (pm *postmaster) stop() error {
	_ = pm.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-pm.exited:
		return exitedCleanly(err)
	case <-time.After(time.Minute):
	}
	_ = pm.cmd.Process.Signal(syscall.SIGQUIT)
	return exitedCleanly(<-pm.exited)
}

func exitedCleanly(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.Exited() && ee.ExitCode() == 0 {
		return nil
	}
	return err
}

func (e *Embedded) lastLogLine() string {
	b, err := os.ReadFile(e.logFile)
	if err != nil || len(b) == 0 {
		return ""
	}
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return lastLine(strings.TrimSpace(string(b)))
}

func (e *Embedded) setChild(pm *postmaster) {
	e.childMu.Lock()
	defer e.childMu.Unlock()
	e.child = pm
}

func (e *Embedded) getChild() *postmaster {
	e.childMu.Lock()
	defer e.childMu.Unlock()
	return e.child
}

// PID returns the process id of the running postmaster, or 0.
func (e *Embedded) PID() int {
	if pm := e.getChild(); pm != nil {
		return pm.cmd.Process.Pid
	}
	return 0
}

// supervisor restarts the embedded server when its postmaster dies.
type supervisor struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// supervise starts watching the postmaster until Stop.
func (e *Embedded) supervise() {
	ctx, cancel := context.WithCancel(context.Background())
	e.super = &supervisor{cancel: cancel, done: make(chan struct{})}
	go e.watchPostmaster(ctx, e.super.done)
}

func (e *Embedded) stopSupervising() {
	if e.super != nil {
		e.super.cancel()
		<-e.super.done
		e.super = nil
	}
}

func (e *Embedded) watchPostmaster(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		pm := e.getChild()
		if pm == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case err := <-pm.exited:
			pm.exited <- err // for Stop, should it come now
			e.setChild(nil)
			e.restart(ctx, pm.cmd.Process.Pid, err)
		}
	}
}

// restart starts the server again after its postmaster died, which runs
// PostgreSQL's crash recovery, retrying with a growing pause until it runs
// or ctx ends (Stop).
func (e *Embedded) restart(ctx context.Context, deadPID int, cause error) {
	e.Log.Error("embedded PostgreSQL stopped unexpectedly: restarting it (crash recovery)",
		"pid", deadPID, "exit", cause, "cluster", e.cluster, "log", e.logFile)
	start := time.Now()
	pause := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := e.launch(ctx)
		if err == nil {
			e.Log.Warn("embedded PostgreSQL restarted", "took", time.Since(start).Round(time.Millisecond), "attempts", attempt)
			return
		}
		if ctx.Err() != nil {
			return
		}
		e.Log.Warn("embedded PostgreSQL restart failed: retrying", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
}
