package main

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/reflect-bot/reflect/internal/config"
)

// maxImageBytes is the image size target: a static binary on a small base, quick to pull and obvious
// to run.
const maxImageBytes = 25 << 20

// TestDockerImage builds the image where a Docker daemon is available and checks that it is small
// and runs as a non-root user. Without a daemon it is skipped.
func TestDockerImage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the Docker image")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("no docker command")
	}
	if err := exec.Command("docker", "info").Run(); err != nil {
		t.Skip("no Docker daemon")
	}
	const tag = "reflect:test"
	build := exec.Command("docker", "build", "-t", tag, "../..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v\n%s", err, out)
	}
	out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Size}} {{.Config.User}} {{json .Config.Healthcheck}}", tag).Output()
	if err != nil {
		t.Fatalf("docker image inspect: %v", err)
	}
	fields := strings.SplitN(strings.TrimSpace(string(out)), " ", 3)
	if len(fields) != 3 {
		t.Fatalf("got %q from docker image inspect", out)
	}
	size, _ := strconv.ParseInt(fields[0], 10, 64)
	t.Logf("image %s: %.1f MB, user %s", tag, float64(size)/(1<<20), fields[1])
	if size <= 0 || size > maxImageBytes {
		t.Errorf("got image size %d bytes, want at most %d", size, maxImageBytes)
	}
	if fields[1] == "" || fields[1] == "root" || strings.HasPrefix(fields[1], "0") {
		t.Errorf("got user %q, want a non-root user", fields[1])
	}
	if !strings.Contains(fields[2], "healthcheck") {
		t.Errorf("got healthcheck %s, want the bot's own healthcheck", fields[2])
	}
}

// TestSetupFilesAgree keeps the files an operator reads in step with the code: .env.example names
// every variable with its default, and the compose file runs the PostgreSQL version the README
// says Reflect is tested with.
func TestSetupFilesAgree(t *testing.T) {
	env, err := os.ReadFile("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]string{} // variable → value, commented out or not
	for line := range strings.Lines(string(env)) {
		k, v, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(line), "# "), "=")
		if ok && !strings.Contains(k, " ") {
			lines[k] = v
		}
	}
	for _, v := range config.Variables() {
		got, ok := lines[v.Name]
		switch {
		case !ok:
			t.Errorf(".env.example does not list %s", v.Name)
		case v.Default != "" && got != v.Default:
			t.Errorf(".env.example gives %s=%s, want its default %s", v.Name, got, v.Default)
		}
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tested := regexp.MustCompile(`tested with PostgreSQL (\d+)`).FindSubmatch(readme)
	if tested == nil {
		t.Fatal("README does not say which PostgreSQL version Reflect is tested with")
	}
	compose, err := os.ReadFile("../../docker-compose.postgres.yml")
	if err != nil {
		t.Fatal(err)
	}
	if want := "image: postgres:" + string(tested[1]) + "\n"; !strings.Contains(string(compose), want) {
		t.Errorf("docker-compose.postgres.yml does not use the README's PostgreSQL %s (want %q)", tested[1], want)
	}
}
