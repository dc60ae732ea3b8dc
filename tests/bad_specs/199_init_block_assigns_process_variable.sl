spec InitProcessVar
var total: 0..9 = 0

process Node(self in 1..2):
    var count: 0..3 = 0

init:
    total := 1
    count := 2
