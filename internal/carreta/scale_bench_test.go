package carreta_test

import (
	"testing"

	"github.com/mockserver/mockserver/internal/servertest"
)

// BenchmarkSeedScale seeds the default scenario with generate.orders
// orders on demo-key (10,000 here; bench/carreta-scale.yaml has
// 100,000): what loading the scale scenario costs.
func BenchmarkSeedScale(b *testing.B) {
	const sc = "name: s\nextends: default\ncarreta:\n  generate: {orders: 10000}\n"
	for range b.N {
		m := servertest.Start(b, servertest.Options{Scenario: sc})
		m.Close()
	}
}
