package e2e_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// No Docker engine or cluster runs these tests, so the deploy files are
// checked for what can go wrong without one (docs/deploy.md): each parses,
// each MOCKSERVER_* variable they set is one the program reads (a renamed
// flag would otherwise be silently ignored), and every probe asks the one
// route that needs no admin token.
func TestDeployFiles(t *testing.T) {
	// The flags and their MOCKSERVER_* fallbacks are bound in these.
	var run []byte
	for _, f := range []string{"serve.go", "healthcheck.go"} {
		src, err := os.ReadFile("../cmd/mockserver/" + f)
		if err != nil {
			t.Fatal(err)
		}
		run = append(run, src...)
	}
	files, _ := filepath.Glob("../deploy/*.yaml")
	more, _ := filepath.Glob("../deploy/k8s/*.yaml")
	replicas, _ := filepath.Glob("../deploy/k8s/replicas/*.yaml")
	files = append(append(files, more...), replicas...)
	if len(files) < 5 {
		t.Fatalf("deploy files: %v", files)
	}
	env := regexp.MustCompile(`MOCKSERVER_[A-Z_]+`)
	probe := regexp.MustCompile(`(?s)(readiness|liveness)Probe:\s*\n\s*httpGet: \{path: (\S+),`)
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(src)))
		for {
			var doc any
			if err := dec.Decode(&doc); err != nil {
				if !errors.Is(err, io.EOF) {
					t.Errorf("%s: %v", f, err)
				}
				break
			}
		}
		for _, v := range env.FindAllString(string(src), -1) {
			if !strings.Contains(string(run), `"`+v+`"`) {
				t.Errorf("%s sets %s, which mockserver does not read", f, v)
			}
		}
		for _, m := range probe.FindAllStringSubmatch(string(src), -1) {
			if m[2] != "/__admin/health" {
				t.Errorf("%s: %s probe on %s", f, m[1], m[2])
			}
		}
		if strings.Contains(string(src), "kind: Deployment") || strings.Contains(string(src), "kind: StatefulSet") {
			if n := len(probe.FindAllString(string(src), -1)); n != 2 {
				t.Errorf("%s: %d probes, want readiness and liveness", f, n)
			}
		}
	}
}
