spec SetOfInt
var s: set[int] = {}
