# 'choose v in S:' inside an if: a choice must be made whether or not the branch runs (SL106)
spec ChooseInIf
var x: 0..3 = 0

action a:
    if x == 0:
        choose v in {1, 2}:
            x := v

check c:
    expect DeadlockFreedom violated
