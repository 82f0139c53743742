// Expressions may begin with a minus sign (`swiftjit eval -x**2 --var x=x.npy`), which
// swift-argument-parser would read as an unknown option. Before parsing, the first argument
// after `eval`, `ir` or `asm` that starts with a single `-`, is not an option we know and is not
// the value of one is rewritten to `--expr=<argument>`; the hidden `--expr` option takes it
// verbatim (a value attached with `=` is never read as an option). This happens only when no
// other positional argument is present, so a mistyped option next to a real expression is still
// reported as an unknown option; arguments starting with `--` are never rewritten. `--` ends
// option parsing as usual (`swiftjit eval -- -x`), and `--expr=-h` spells an expression that
// would collide with a known short option.
enum ArgumentRewriting {
    /// Subcommands that take an expression.
    static let expressionCommands: Set<String> = ["eval", "ir", "asm"]
    /// Options of those subcommands that take a value.
    static let valued: Set<String> = ["--var", "--out", "--math", "--expr-file", "--expr", "--type"]
    /// Options of those subcommands that take no value.
    static let flags: Set<String> = ["--typed", "-h", "--help", "--version"]

    /// `arguments` without the program name, rewritten as described above.
    static func rewrite(_ arguments: [String]) -> [String] {
        guard let commandIndex = arguments.firstIndex(where: { !$0.hasPrefix("-") }),
              expressionCommands.contains(arguments[commandIndex]) else { return arguments }
        var positionals = 0
        var candidate: Int?
        var i = commandIndex + 1
        while i < arguments.count {
            let arg = arguments[i]
            if arg == "--" {
                positionals += arguments.count - i - 1
                break
            }
            if valued.contains(arg) {
                i += 2  // the option and its value
                continue
            }
            if arg.hasPrefix("--") || flags.contains(arg) {
                i += 1  // `--name=value`, a flag, or an unknown long option left to the parser
                continue
            }
            if arg.hasPrefix("-") && arg.count > 1 {
                if candidate == nil { candidate = i }
            } else {
                positionals += 1
            }
            i += 1
        }
        guard positionals == 0, let candidate else { return arguments }
        var rewritten = arguments
        rewritten[candidate] = "--expr=" + arguments[candidate]
        return rewritten
    }
}
