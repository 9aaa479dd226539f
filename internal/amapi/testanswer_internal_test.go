package amapi

import (
	"bytes"
	"testing"

	"github.com/mockserver/mockserver/internal/phpjson"
)

// TestTestAnswers: each of GET /api/test's answers encoded once is what
// encoding its flags on the request gives.
func TestTestAnswers(t *testing.T) {
	for _, auth := range []bool{false, true} {
		for _, avail := range []bool{false, true} {
			for _, online := range []bool{false, true} {
				want, err := phpjson.Marshal(testResult{IsAuthenticated: auth, ServiceAvailable: avail, OnlineRegistrationAvailable: online})
				if err != nil {
					t.Fatal(err)
				}
				if got := testAnswers[testAnswer(auth, avail, online)]; !bytes.Equal(got, want) {
					t.Errorf("auth=%v available=%v online=%v: %s, want %s", auth, avail, online, got, want)
				}
			}
		}
	}
}
