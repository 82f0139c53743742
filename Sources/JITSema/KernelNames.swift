// KernelNames: the rule for the names of kernels and helpers. In: a parsed kernel module; out:
// nothing, or a `DiagnosticError` with a caret under every declaration that takes a reserved
// name. A kernel or helper may not be named like a builtin function (`sin`, `sum`, `arctan` and
// its alias `atan`), a kernel-language function (`len`, `zeros`, `stride`, ...) or a constant
// (`pi`, `e`, `inf`, `nan`): the name would mean the builtin in some places and the declaration in
// others (a REPL call `sin(x)` against `sin(x) + 1`), so it is refused where it is declared.
import JITSyntax

public enum KernelNames {
    /// Functions only kernels have (allocation, views, loops); the builtin table has the rest.
    public static let kernelFunctions: Set<String> = [
        "len", "zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "copy", "stride",
    ]

    /// Why `name` cannot name a kernel or helper, or nil when it can.
    public static func reservedReason(_ name: String) -> String? {
        // NumPy's names added after kernels could use them (mean, clip, square, ...) may be a
        // helper's name: the helper is called instead, so older kernels keep working.
        if let fn = Builtins.lookup(name), !BuiltinExpansion.helperMayShadow(fn) { return "a builtin function" }
        if kernelFunctions.contains(name) { return "a kernel-language function" }
        if KernelChecker.constants[name] != nil { return "a constant" }
        return nil
    }

    /// Throws a diagnostic for every declaration of `module` named like a builtin.
    public static func check(_ module: KernelModuleAST) throws {
        var bag = DiagnosticBag()
        for d in module.declarations {
            guard let reason = reservedReason(d.name) else { continue }
            let what = d.isHelper ? "helper" : "kernel"
            bag.error("builtin_name", "a \(what) cannot be named '\(d.name)': it is \(reason)", at: d.nameRange,
                      notes: [DiagnosticNote("rename it, e.g. '\(d.name)_\(what)' or 'my_\(d.name)'")])
        }
        if bag.hasErrors { throw DiagnosticError(source: module.source, diagnostics: bag.diagnostics) }
    }
}
