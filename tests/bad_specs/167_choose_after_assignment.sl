# 'choose v in S:' after an assignment: S is evaluated in the state before the step (SL106)
spec ChooseLate
var x: 0..3 = 0

action a:
    x := 1
    choose v in {x, 2}:
        x := v

check c:
    expect DeadlockFreedom violated
