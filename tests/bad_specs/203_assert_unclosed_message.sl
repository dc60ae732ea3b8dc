spec AssertUnclosed
var x: 0..3 = 0

action inc if x < 3:
    x := x + 1
    assert x > 0, "x is positive

allow deadlock
