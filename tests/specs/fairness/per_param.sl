# Item 9: `fair weak serve` is WF_vars(\E c: serve(c)): serving c1 forever is fair.
# `fair weak serve per c` is \A c: WF_vars(serve(c)): c2 is served too.
spec PerParam

enum Client = {c1, c2}

var tick: bool = false
var served2: bool = false

action serve(c in Client):
    require c == c1 or not served2
    if c == c1:
        tick := not tick
    else:
        served2 := true

property Served2: eventually served2

allow deadlock

check whole:
    fair weak serve
    expect Served2 violated

check each:
    fair weak serve per c
    expect Served2 holds
