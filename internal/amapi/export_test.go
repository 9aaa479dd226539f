package amapi

// The unexported rules model_test.go (package amapi_test) table-tests.
var (
	BcryptInput = bcryptInput
	EmailKey    = emailKey
	FitsBigint  = fitsBigint
	Restamp     = restamp
)
