spec NoInstances
process P(self in 1..0):
    var x: 0..1 = 0
