package mocktest

// The demo identities of the embedded default scenario
// (scenarios/default.yaml; README "Demo identities"). A world created from
// the default scenario, and a mock New starts without WithScenario, has
// every one of them.
const (
	// AmapiEmail is the amapi demo user's login email.
	AmapiEmail = "demo@example.com"
	// AmapiPassword is the amapi demo user's password.
	AmapiPassword = "demo-password"
	// AmapiToken is a bearer token of the amapi demo user that works
	// without logging in first.
	AmapiToken = "1|DemoTokenDemoTokenDemoTokenDemoTokenDemo"

	// CarretaAPIKey is the carreta demo account's api_key, allowed from
	// any address.
	CarretaAPIKey = "demo-key"
	// CarretaRestrictedAPIKey is a carreta account allowed only from
	// 10.0.0.1, for testing the vendor's address check.
	CarretaRestrictedAPIKey = "restricted-key"

	// SaplabOwnerLogin is the saplab owner's login (HTTP Basic user):
	// every permission.
	SaplabOwnerLogin = "79990000000"
	// SaplabOwnerPassword is the saplab owner's password.
	SaplabOwnerPassword = "demo"
	// SaplabOperatorLogin is a saplab employee with only clients.read and
	// orders.read, for testing permission refusals.
	SaplabOperatorLogin = "79990000001"
	// SaplabOperatorPassword is the saplab operator's password.
	SaplabOperatorPassword = "demo"
)
