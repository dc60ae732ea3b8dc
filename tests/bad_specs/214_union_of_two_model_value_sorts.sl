spec U
const Readers = {r1, r2}
const Writers = {w1}
var seen: set[Readers] = {}
invariant I: (Readers | Writers) != {}
allow deadlock
