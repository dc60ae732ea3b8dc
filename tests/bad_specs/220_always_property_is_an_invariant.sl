spec P
var x: 0..3 = 0
action inc:
    require x < 3
    x := x + 1
property P: always x <= 3
