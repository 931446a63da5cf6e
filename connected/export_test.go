package connected

// AppendString exposes appendString to the external tests.
var AppendString = appendString

// AppendTime exposes appendTime to the external tests.
var AppendTime = appendTime
