spec ExpectUnknown
var x: 0..3 = 0
invariant Safe: x <= 3
check all:
    expect Saef holds
