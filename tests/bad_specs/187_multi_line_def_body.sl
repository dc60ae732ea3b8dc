spec E
var x: 0..3 = 0
def f(y: int): int =
    y +
    1
invariant I: f(x) > 0
allow deadlock
