spec Lasso
# A liveness counterexample with a real loop: x cycles 0, 1, 2, 0, ... under
# weak fairness, so it is never 2 for good.
var x: 0..2 = 0

fair weak action step:
    require x < 2
    x := x + 1

fair weak action wrap:
    require x == 2
    x := 0

property SettlesAtTwo: eventually always x == 2
property ReachesTwo: eventually x == 2

check c:
    expect SettlesAtTwo holds
    expect ReachesTwo holds
