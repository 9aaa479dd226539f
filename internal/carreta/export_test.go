package carreta

// ParseID lets the black-box tests table-test the unexported parseID rule.
var ParseID = parseID
