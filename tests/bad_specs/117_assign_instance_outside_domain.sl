spec AssignOutside
process P(self in 1..2):
    var x: 0..1 = 0
    action poke:
        P[self + 1].x := 1
