# 'choose v' with the name of a parameter of the action (SL202)
spec ChooseShadow
var x: 0..3 = 0

action a(v in 1..2):
    choose v in {1, 2}:
        x := v

check c:
    expect DeadlockFreedom violated
