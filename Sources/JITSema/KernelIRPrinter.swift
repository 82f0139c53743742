// KernelIRPrinter: the stable text form of typed kernel IR. In: a TypedKernel; out: text that
// snapshot tests compare, `swiftjit ir FILE --kernel NAME --typed` prints, and the object cache
// key is made from (so it shows everything lowering reads: every type, operand, instruction and
// the line:column compiled code reports).
//
//     kernel dot(a#0: f64[], b#1: f64[]) -> f64
//       s#2: f64 var
//       i#3: i64 let
//     {
//       s#2 = {const 0.0 : f64}@2:13
//       for i#3 in {const 0 : i64}@3:14 ..< {a#0.shape[0]}@3:18 {
//         s#2 = {$0: f64 = s#2, $1: f64 = a#0[{i#3}@4:16]@4:14, $2: f64 = b#1[{i#3}@4:23]@4:21 |
//                %0 = arg $0 : f64; %1 = arg $1 : f64; %2 = arg $2 : f64; %3 = mul %1, %2 : f64;
//                %4 = add %0, %3 : f64; ret %4}@4:9                     (one line when printed)
//       }
//       return {s#2}@6:12
//     }
//
// Variables print as `name#index`; a scalar expression as `{bindings | instructions}@line:column`,
// its bindings naming what each IR parameter `$k` reads (a variable, an element `a#0[...]@l:c`, an
// extent `a#0.shape[k]`) and its instructions in the typed IR's own text (IRPrinter.swift). Two
// shorthands: `{s#2}` for a value read as it is, `{const 0 : i64}` for a constant.

extension TypedKernel: CustomStringConvertible {
    /// The kernel's stable text form (see KernelIRPrinter).
    public var description: String { KernelIRPrinter(kernel: self).text() }
}

/// Prints a typed kernel as stable text.
public struct KernelIRPrinter {
    /// The kernel printed.
    public let kernel: TypedKernel
    private var out = ""

    /// A printer for `kernel`.
    public init(kernel: TypedKernel) { self.kernel = kernel }

    /// The kernel's text, ending with a newline.
    public func text() -> String {
        var p = self
        p.printKernel()
        return p.out
    }

    private mutating func printKernel() {
        let params = kernel.variables.indices.prefix(kernel.parameterCount).map { "\(name($0)): \(kernel.variables[$0].type)" }
        let returns = kernel.returnTypes.map(\.description)
        let result = returns.isEmpty ? "" : " -> " + (returns.count == 1 ? returns[0] : "(\(returns.joined(separator: ", ")))")
        out += "kernel \(kernel.name)(\(params.joined(separator: ", ")))\(result)\n"
        for v in kernel.variables.indices.dropFirst(kernel.parameterCount) {
            out += "  \(name(v)): \(kernel.variables[v].type) \(kernel.variables[v].mutable ? "var" : "let")\n"
        }
        out += "{\n"
        block(kernel.body, indent: 1)
        out += "}\n"
    }

    private mutating func block(_ statements: [KernelStatement], indent: Int) {
        for s in statements { statement(s, indent: indent) }
    }

    private mutating func line(_ text: String, _ indent: Int) {
        out += String(repeating: "  ", count: indent) + text + "\n"
    }

    private mutating func statement(_ s: KernelStatement, indent: Int) {
        switch s {
        case .assign(let v, let e):
            line("\(name(v)) = \(expr(e))", indent)
        case .bind(let v, let a):
            line("let \(name(v)) = \(array(a))", indent)
        case .store(let a, let indices, let value, let loc):
            line("\(name(a))[\(indices.map(expr).joined(separator: ", "))]\(at(loc)) = \(expr(value))", indent)
        case .ifElse(let branches, let otherwise):
            for (n, b) in branches.enumerated() {
                line("\(n == 0 ? "if" : "} else if") \(expr(b.condition)) {", indent)
                block(b.body, indent: indent + 1)
            }
            if !otherwise.isEmpty {
                line(branches.isEmpty ? "else {" : "} else {", indent)
                block(otherwise, indent: indent + 1)
            }
            line("}", indent)
        case .whileLoop(let c, let body):
            line("while \(expr(c)) {", indent)
            block(body, indent: indent + 1)
            line("}", indent)
        case .forLoop(let v, let start, let end, let step, let parallel, let reductions, let body):
            var head = "\(parallel ? "parallel for" : "for") \(name(v)) in \(expr(start)) ..< \(expr(end))"
            if let step { head += " by \(expr(step))" }
            if !reductions.isEmpty {
                head += " reduce(\(reductions.map { "\($0.op.rawValue) \(name($0.variable))" }.joined(separator: ", ")))"
            }
            line(head + " {", indent)
            block(body, indent: indent + 1)
            line("}", indent)
        case .breakLoop:
            line("break", indent)
        case .continueLoop:
            line("continue", indent)
        case .returnValues(let values):
            let items = values.map { r -> String in
                switch r {
                case .scalar(let e): return expr(e)
                case .array(let a): return array(a)
                }
            }
            line(items.isEmpty ? "return" : "return \(items.joined(separator: ", "))", indent)
        case .evaluate(let e):
            line("evaluate \(expr(e))", indent)
        case .sequence(let inner):
            line("sequence {", indent)
            block(inner, indent: indent + 1)
            line("}", indent)
        case .require(let c, let loc, let code):
            line("require \(expr(c)) else fail \(code)\(at(loc))", indent)
        }
    }

    private func name(_ v: Int) -> String { "\(kernel.variables[v].name)#\(v)" }

    private func at(_ loc: KernelLocation) -> String { "@\(loc.line):\(loc.column)" }

    private func array(_ a: KernelArrayExpr) -> String {
        switch a {
        case .variable(let v):
            return name(v)
        case .view(let v, let parts, let loc):
            let items = parts.map { p -> String in
                switch p {
                case .single(let e): return expr(e)
                case .range(let lo, let hi, let step):
                    return "\(expr(lo)) ..< \(expr(hi))" + (step.map { " by \(expr($0))" } ?? "")
                }
            }
            return "view \(name(v))[\(items.joined(separator: ", "))]\(at(loc))"
        case .allocate(let d, let shape, let fill, let loc):
            let contents: String
            switch fill {
            case .zeros: contents = "zeros"
            case .uninitialized: contents = "uninitialized"
            case .value(let e): contents = "fill \(expr(e))"
            }
            return "allocate \(d.shortName)[\(shape.map(expr).joined(separator: ", "))] \(contents)\(at(loc))"
        }
    }

    private func operand(_ o: KernelOperand) -> String {
        switch o {
        case .variable(let v): return name(v)
        case .element(let a, let indices, let loc): return "\(name(a))[\(indices.map(expr).joined(separator: ", "))]\(at(loc))"
        case .extent(let a, let axis): return "\(name(a)).shape[\(axis)]"
        }
    }

    /// `{$0: f64 = s#2, $1: i64 = n#1 | %0 = arg $0 : f64; ...; ret %3}@line:column`.
    private func expr(_ e: KernelScalarExpr) -> String {
        let f = e.function
        if f.reduction == nil, f.resultKind == .contiguous, f.instructions.count == 1 {
            // Shorthands: a value read as it is (`{i#4}`), a constant (`{const 0 : i64}`).
            let only = f.instructions[0]
            if case .argument(0) = only.op, f.parameters.count == 1, e.operands.count == 1, only.type == f.parameters[0].dtype,
               f.parameters[0].kind == .scalar {
                return "{\(operand(e.operands[0]))}\(at(e.location))"
            }
            if case .constant = only.op, f.parameters.isEmpty {
                return "{\(IRFunction.text(only.op, [])) : \(only.type.shortName)}\(at(e.location))"
            }
        }
        let bindings = f.parameters.enumerated().map { k, p -> String in
            let kind = p.kind == .scalar ? "" : p.kind == .contiguous ? "[]" : "[::s]"
            return "\(p.name): \(p.dtype.shortName)\(kind)" + (k < e.operands.count ? " = \(operand(e.operands[k]))" : "")
        }
        var body = f.instructions.enumerated().map { "%\($0.offset) = \(IRFunction.text($0.element.op, f.parameters)) : \($0.element.type.shortName)" }
        body.append(f.reduction.map { "reduce \($0.rawValue) \(f.result)" } ?? "ret \(f.result)")
        let layout = f.resultKind == .contiguous ? "" : " [\(f.resultKind)]"
        let head = bindings.isEmpty ? "" : bindings.joined(separator: ", ") + " | "
        return "{\(head)\(body.joined(separator: "; "))\(layout)}\(at(e.location))"
    }
}
