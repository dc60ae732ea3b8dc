spec P
var x: 0..3 = 0
action inc:
    require x < 3
    x := x + 1
invariant Small: x <= 3
check Small3:
allow deadlock
