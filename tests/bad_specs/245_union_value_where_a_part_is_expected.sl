spec Narrowing
const Readers = {r1, r2}
const Writers = {w1}
var last: Readers = Readers.r1

action pick(c in Readers | Writers):
    last := c
