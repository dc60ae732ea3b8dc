spec CrashTwice
# A process declares how it crashes once.
process P(self in 1..2):
    crash stop
    crash recover max 1
    var x: 0..1 = 0
    action set: x := 1
allow deadlock
