spec EnumValueClash
const Node = {a, b, c}
enum Kind = {m, c}
var k: Kind = c
var owner: Node = a
invariant I: k == m
allow deadlock
