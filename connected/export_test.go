package connected

// AppendString exposes appendString to the external tests.
var AppendString = appendString
