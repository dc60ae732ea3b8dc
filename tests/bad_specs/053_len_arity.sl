spec LenArity
var s: set[0..3] = {}
invariant Bad: len() <= 4
