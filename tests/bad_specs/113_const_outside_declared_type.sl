spec ConstOutside
const S: set[0..3] = {5}
var x: 0..3 = 0
