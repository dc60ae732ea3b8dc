spec NoProcessVar
process P(self in 1..2):
    var state: 0..1 = 0
invariant Idle: forall p in 1..2: P[p].stat == 0
