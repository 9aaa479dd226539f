package saplab_test

import (
	"io"
	"net/http"
	"testing"
)

func BenchmarkZZPay(b *testing.B) {
	m := start(b, "")
	client := &http.Client{}
	req := func() {
		r, _ := http.NewRequest("GET", m.URL+"/panel/order/pay/19", nil)
		r.Header.Set("Authorization", basic(owner))
		resp, err := client.Do(r)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	req()
	b.ResetTimer()
	for range b.N {
		req()
	}
}
