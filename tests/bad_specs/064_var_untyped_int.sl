spec VarUntyped
var x = 0
