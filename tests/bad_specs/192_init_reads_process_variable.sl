spec GlobalReadsProcess
# a global initial value reads a process variable (declared after every global)
var g: 0..3 = P[1].a

process P(self in 1..2):
    var a: 0..3 = self
