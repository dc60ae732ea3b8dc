spec SymmetricUnion
const Readers = {r1, r2} symmetric
const Writers = {w1}
var last: Readers | Writers = Writers.w1

action read(c in Readers):
    last := c
