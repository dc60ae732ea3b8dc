spec P
var x: 0..3 = 0
def f(a: 0..3): bool =

action inc:
    x := x + 1
allow deadlock
