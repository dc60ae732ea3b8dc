spec P
var x: 0..3 = 0
action inc:
action dec:
    x := x - 1
