spec NestedFors
# Python allows 20 nested loops in the code a spec compiles to.
var x: 0..1 = 0
var s: set[0..1] = {}
allow deadlock
action deep:
    for i0 in s:
        for i1 in s:
            for i2 in s:
                for i3 in s:
                    for i4 in s:
                        for i5 in s:
                            for i6 in s:
                                for i7 in s:
                                    for i8 in s:
                                        for i9 in s:
                                            for i10 in s:
                                                for i11 in s:
                                                    for i12 in s:
                                                        for i13 in s:
                                                            for i14 in s:
                                                                for i15 in s:
                                                                    for i16 in s:
                                                                        for i17 in s:
                                                                            for i18 in s:
                                                                                for i19 in s:
                                                                                    for i20 in s:
                                                                                        for i21 in s:
                                                                                            for i22 in s:
                                                                                                for i23 in s:
                                                                                                    for i24 in s:
                                                                                                        x := 1
