// Command reference is the baseline every speed figure is measured against:
// a bare net/http server that answers any request with fixed bytes (the
// mock's own response to the endpoint under test, captured by bench/run.sh).
// The ratio mock/reference measured in the same run is what the closing
// notes report, because the machines here are shared and noisy.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18181", "listen address")
	bodyFile := flag.String("body", "", "file with the response body")
	ctype := flag.String("content-type", "application/json", "Content-Type of the response")
	status := flag.Int("status", http.StatusOK, "response status")
	flag.Parse()
	body, err := os.ReadFile(*bodyFile)
	if err != nil && *bodyFile != "" {
		log.Fatal(err)
	}
	length := strconv.Itoa(len(body))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", *ctype)
		w.Header().Set("Content-Length", length)
		w.WriteHeader(*status)
		_, _ = w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, h))
}
