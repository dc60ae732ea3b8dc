spec UnionOfEnum
enum Label = {cs, idle}
const Readers = {r1, r2}
var last: Readers | Label = Readers.r1
allow deadlock
