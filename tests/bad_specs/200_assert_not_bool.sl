spec AssertNotBool
var x: 0..3 = 0

action inc if x < 3:
    x := x + 1
    assert x + 1, "x is positive"

allow deadlock
