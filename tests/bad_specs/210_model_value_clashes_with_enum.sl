spec ModelValueClash
enum Kind = {m, c}
const Node = {a, b, c}
var k: Kind = m
var owner: Node = c
invariant I: k == m
allow deadlock
