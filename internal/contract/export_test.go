package contract

import (
	"fmt"
	"sync"
)

// Replace makes api's contract the one src describes until the returned
// function runs, for the test that proves a non-conforming answer fails
// its test: that needs a document the mock does not conform to. The
// loaders are not locked (nothing else ever writes them), so a test that
// calls Replace must not run in parallel with one that serves requests.
func Replace(api string, src []byte) (restore func(), err error) {
	c, err := parse(api, src)
	if err != nil {
		return nil, err
	}
	old := loaders[api]
	loaders[api] = func() (*Contract, error) { return c, nil }
	return func() { loaders[api] = old }, nil
}

// validating keeps Validate's compiles apart: the compiler is not safe for
// concurrent use.
var validating sync.Mutex

// Validate checks v against the schema at the pointer parts of api's
// document (a $ref on the way followed), as the checks of traffic do, for
// the test that holds the documents' examples to their schemas. An error
// says there is no schema there.
func Validate(api string, parts []string, v any) ([]Violation, error) {
	c, err := For(api)
	if err != nil {
		return nil, err
	}
	validating.Lock()
	defer validating.Unlock()
	at := c.doc.schemaAt(parts)
	if at == nil {
		return nil, fmt.Errorf("no schema at %s", pointer(parts...))
	}
	sch, err := c.doc.compile(at)
	if err != nil {
		return nil, err
	}
	return validate(sch, v, pointer(parts...)), nil
}
