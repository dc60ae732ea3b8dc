spec AmbiguousInBinding
enum Kind = {a, k}
const Node = {a, b}
const Start: Node = Node.b
var x: Node = Start
allow deadlock

check other(Start = a):
    expect DeadlockFreedom holds
