spec P
var x: 0..3 = 0
action inc:
    x := x + 1
action dec:
