spec RecordArity
record Pair(a: 0..1, b: 0..1)
var p: Pair = Pair(0)
