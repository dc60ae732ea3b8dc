spec ReadOutside
process P(self in 1..2):
    var x: 0..1 = 0
invariant Zero: P[3].x == 0
