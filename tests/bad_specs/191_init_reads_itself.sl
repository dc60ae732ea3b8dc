spec SelfInit
# an initial value reads its own variable
var x: 0..3 = x + 1
