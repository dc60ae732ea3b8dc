spec U
enum Label = {cs, idle}
enum Kind = {k1, k2}
const Readers = {r1, r2}
invariant I: (Label | Kind) != {}
allow deadlock
