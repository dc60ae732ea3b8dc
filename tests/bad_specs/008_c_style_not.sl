spec CStyleNot
var x: 0..3 = 0
invariant NotThree: !(x == 3)
