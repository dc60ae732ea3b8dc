spec Counter
# Edge cases for the report formats: a failed invariant (expected to hold) and
# an invariant expected to be violated that holds.
const Max = 5

var x: 0..Max = 0

action inc:
    require x < Max
    x := x + 1        # counts up

action reset:
    require x == Max
    x := 0

invariant Small: x < 4
invariant NonNegative: x >= 0

check small:
    expect Small holds
    expect NonNegative violated
