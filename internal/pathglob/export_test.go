package pathglob

// Steps is how many segment comparisons matching p against pattern makes.
func Steps(pattern, p string) int {
	n := 0
	match(pattern, p, &n)
	return n
}
