spec TwoEnums
enum Label = {cs, idle}
enum Kind = {cs, rem}
var l: Label = idle
invariant I: l != cs
allow deadlock
