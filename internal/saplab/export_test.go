package saplab

// The unexported rules of model.go, for model_test.go's table tests.
var (
	ParseID     = parseID
	ParseIDs    = parseIDs
	StatusColor = statusColor
	EmailKey    = emailKey
)
