# Item 10: the only step of the fair `inc` leaves the constraint, so no fair behaviour
# stays inside it: `eventually done` holds vacuously (with a warning).
spec Vacuous

var x: 0..3 = 0
var done: bool = false

fair weak action inc:
    require x < 3
    x := x + 1

action finish:
    done := true

constraint Small: x < 1

property Done: eventually done

allow deadlock

check c:
    expect Done holds
