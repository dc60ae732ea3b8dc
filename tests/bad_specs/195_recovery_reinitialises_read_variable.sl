spec RecoverReads
# a recovery re-initialises both variables: b's initial value cannot follow a's
process P(self in 1..2):
    crash recover max 1
    var a: 0..1 in 0..1
    var b: 0..1 = a

    action flip:
        a := 1 - a
