spec TwiceInOne
enum Label = {cs, idle, cs}
var l: Label = Label.idle
allow deadlock
