spec IntField
var x: 0..3 = 0
invariant Bad: x.foo == 0
