spec ProcessOrder
# a process variable reads a later variable of its own process
process P(self in 1..2):
    var a: 0..3 = b
    var b: 0..3 = self
