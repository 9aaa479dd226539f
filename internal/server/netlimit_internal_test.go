package server

import (
	"io"
	"net"
	"testing"
	"time"
)

// A capped connection half-closes as the TCP one under it does: net/http
// ends an answer it writes before reading the request whole (a 431) that
// way, and the client sees the answer end while the server still reads.
func TestCapConn_closeWriteHalfCloses(t *testing.T) {
	t.Parallel()
	client, sc := cappedConn(t, listenCapped(t, 1))
	cw, ok := sc.(interface{ CloseWrite() error })
	if !ok {
		t.Fatal("a capped connection has no CloseWrite: net/http cannot half-close it")
	}
	if _, err := io.WriteString(sc, "431"); err != nil {
		t.Fatal(err)
	}
	if err := cw.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	_ = client.SetDeadline(time.Now().Add(20 * time.Second)) // a failsafe: hit, the test fails
	if got, err := io.ReadAll(client); err != nil || string(got) != "431" {
		t.Fatalf("the client read %q, %v; want the answer, then its end", got, err)
	}
	// Half: the server still reads what the client sends.
	if _, err := io.WriteString(client, "more"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	_ = sc.SetDeadline(time.Now().Add(20 * time.Second))
	if _, err := io.ReadFull(sc, buf); err != nil || string(buf) != "more" {
		t.Fatalf("after CloseWrite the server read %q, %v", buf, err)
	}
}

// listenCapped is a capListener of max connections on a loopback port,
// closed when the test ends.
func listenCapped(t *testing.T, max int) *capListener {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newCapListener(inner, max)
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// cappedConn dials l and accepts the connection through it: the client's
// end and the capped server end, both closed when the test ends.
func cappedConn(t *testing.T, l *capListener) (client, server net.Conn) {
	t.Helper()
	client, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.Close() })
	server, err = l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = server.Close() })
	return client, server
}
