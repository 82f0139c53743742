import SwiftJIT
let f = try JIT.compile(CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "x*(1+x*(1+x))")
let r = try f(x: [1.0, 2.0, 3.0])
print(r.doubles)
