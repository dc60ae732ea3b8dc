spec RequireInFor
var s: set[0..3] = {}
action fill:
    for i in 0..3:
        require i not in s
        s := s | {i}
