# 'either' inside a for loop: iterations do not branch (SL106)
spec EitherInFor
var x: 0..3 = 0

action a:
    for i in 1..2:
        either:
            x := i
        or:
            pass

check c:
    expect DeadlockFreedom violated
