spec StateDomain
var k: 0..2 = 1
invariant Maps: len([0..k -> {1, 2}]) >= 2
