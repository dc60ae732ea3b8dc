spec QualifiedUnknown
enum Label = {cs, idle}
var l: Label = Label.idle
invariant I: l != Label.crit
allow deadlock
