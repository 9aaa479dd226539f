package server_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// TestSmallReads_concurrentWithResetsAndStreams runs the small-read
// paths of issue 16 (carreta's key memo and the query memo, with more
// keys than slots; amapi's fixed answer and the clean-answer memo;
// saplab's login cache, with spellings of one login; carreta's fixed
// profile) from several clients at once, while the control API resets
// the state (new views, the login cache forgotten) and opens and closes
// journal streams (the journal's subscriber set). Under -race it fails
// on any unguarded shared state; without it, on a wrong answer.
func TestSmallReads_concurrentWithResetsAndStreams(t *testing.T) {
	t.Parallel()
	m := servertest.Start(t, servertest.Options{})
	basic := func(login string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(login+":demo"))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	check := func(method, path string, want int, headers ...string) {
		r, err := m.Send(method, path, nil, headers...)
		if err == nil && r.Status != want {
			err = fmt.Errorf("%s %s: %d %s, want %d", method, path, r.Status, r.Body, want)
		}
		if err != nil {
			select {
			case errs <- err:
			default:
			}
		}
	}
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				check("GET", "/v1/search/?q=oc47&api_key=demo-key", 200)
				check("GET", fmt.Sprintf("/v1/profile/?api_key=nokey-%d-%d", g, i), 401)
				check("GET", "/v1/profile/?api_key=demo-key", 200)
				check("GET", "/api/test", 200)
				check("GET", "/panel/client/group", 200, "Authorization", basic("79990000000"))
				check("GET", "/panel/client/group", 200, "Authorization", basic(fmt.Sprintf("+7 999 000-00-00%s", []string{"", " "}[i%2])))
				check("GET", "/panel/client/group", 401, "Authorization", basic("79990000000x:nope"))
			}
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		for range 4 {
			check("POST", "/__admin/reset", 200)
		}
	}()
	go func() {
		defer wg.Done()
		for range 10 {
			ctx, cancel := context.WithCancel(context.Background())
			req, _ := http.NewRequestWithContext(ctx, "GET", m.URL+"/__admin/requests/stream?backlog=0", nil)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				cancel()
				resp.Body.Close()
			}
			cancel()
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
