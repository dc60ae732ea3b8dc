spec ConstTwice
const N = 3
const N = 4
