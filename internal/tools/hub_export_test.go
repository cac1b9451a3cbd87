package tools

// SetCatalogSearchMax lowers the catalog search bound for a test and returns
// a function that restores it. Tests that use it must not run in parallel.
func SetCatalogSearchMax(n int) (restore func()) {
	old := catalogSearchMax
	catalogSearchMax = n
	return func() { catalogSearchMax = old }
}
