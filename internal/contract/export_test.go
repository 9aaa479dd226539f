package contract

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
