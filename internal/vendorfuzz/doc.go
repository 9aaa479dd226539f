// Package vendorfuzz holds the fuzz targets of the vendor packages' parsers
// (amapi's body decoding and rules, carreta's order decoding, qty rules and
// code normalising). They live apart from the vendor packages' own tests on
// purpose: a package's fuzz build instruments everything its test binary
// links, and the vendor tests link the whole server through servertest
// (libopenapi included), which made CI's first fuzz build take minutes.
// Here the fuzz binary links the vendor package and its own dependencies
// only.
package vendorfuzz
