spec ActionTwice
process P:
    var x: 0..3 = 0
    action step:
        x := 1
    action step:
        x := 2
