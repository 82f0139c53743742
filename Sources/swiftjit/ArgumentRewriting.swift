// Expressions may begin with a minus sign (`swiftjit eval -x**2 --var x=x.npy`, `eval --a`: the
// double negation of `a`), which swift-argument-parser would read as an option. Before parsing,
// the expression argument is rewritten to `--expr=<argument>`; the hidden `--expr` option takes it
// verbatim (a value attached with `=` is never read as an option).
//
// In `eval`, `ir` and `asm`:
// - `--` names the next argument as the expression, and options may still follow it
//   (`swiftjit eval -- --a --var a=a.npy`); when an expression was already given before `--`, the
//   usual meaning (everything after it is positional) is kept;
// - otherwise the first argument that starts with `-`, is not an option of these commands and is
//   not the value of one is the expression, when no other positional argument is present (so a
//   mistyped option next to a real expression is still reported as an unknown option).
// In `compile`, the value of `--expr` is taken verbatim even when it starts with `-`.
// `--expr=-h` spells an expression that would collide with a known option.
enum ArgumentRewriting {
    /// Subcommands that take an expression as their argument.
    static let expressionCommands: Set<String> = ["eval", "ir", "asm"]
    /// Options of those subcommands that take a value.
    static let valued: Set<String> = ["--var", "--out", "--math", "--expr-file", "--expr", "--type", "--threads"]
    /// Options of those subcommands that take no value.
    static let flags: Set<String> = ["--typed", "-h", "--help", "--version"]

    /// `arguments` without the program name, rewritten as described above.
    static func rewrite(_ arguments: [String]) -> [String] {
        guard let commandIndex = arguments.firstIndex(where: { !$0.hasPrefix("-") }) else { return arguments }
        let command = arguments[commandIndex]
        if command == "compile" { return attachExpressionValue(arguments, from: commandIndex + 1) }
        guard expressionCommands.contains(command) else { return arguments }
        var positionals = 0
        var candidate: Int?
        var i = commandIndex + 1
        while i < arguments.count {
            let arg = arguments[i]
            if arg == "--" {
                guard positionals == 0, candidate == nil, i + 1 < arguments.count else { return arguments }
                var rewritten = arguments
                rewritten[i + 1] = "--expr=" + arguments[i + 1]
                rewritten.remove(at: i)
                return rewritten
            }
            if valued.contains(arg) {
                i += 2  // the option and its value
                continue
            }
            let name = arg.split(separator: "=", maxSplits: 1).first.map(String.init) ?? arg
            if flags.contains(arg) || (arg.hasPrefix("--") && valued.contains(name)) {
                i += 1  // a flag or `--name=value`
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

    /// `--expr VALUE` -> `--expr=VALUE` (before any `--`), so a value starting with `-` is kept.
    private static func attachExpressionValue(_ arguments: [String], from start: Int) -> [String] {
        var rewritten = arguments
        var i = start
        while i + 1 < rewritten.count, rewritten[i] != "--" {
            if rewritten[i] == "--expr" {
                rewritten[i] = "--expr=" + rewritten[i + 1]
                rewritten.remove(at: i + 1)
            }
            i += 1
        }
        return rewritten
    }
}
