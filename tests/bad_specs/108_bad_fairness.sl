spec Fairness
var x: 0..1 = 0
fair wek action step:
    x := 1
