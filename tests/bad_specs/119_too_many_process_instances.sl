spec HugeProcess
const N = 20000
# One state slot per instance: too many instances to lay out.
process P(self in 0..N):
    var x: 0..1 = 0
    action flip:
        x := 1 - x
