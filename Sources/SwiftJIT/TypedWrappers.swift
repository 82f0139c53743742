// The per-arity wrappers of typed entry points (`Kernel.typed` and `CompiledExpression.typed`):
// each checks and writes its arguments into a stack frame through its core and calls the native code.
// Written out per arity (0-6 kernel parameters, 1-6 expression arguments) because generic code over
// parameter packs was measured at 75 ns a call against a few ns for these, even when inlined.
import JITRuntime

/// A kernel of no parameters with fixed Swift types, returning `R` (`Kernel.typed`).
public struct TypedKernel0<R>: Sendable {
    public let core: TypedKernelCore
    /// Checks each argument's type and rank and calls the native code.
    @inlinable public func callAsFunction() throws -> R {
        try core.call({ frame in
            _ = frame
        }, arrays: { _, _ in })
    }
}

/// A kernel of one parameter with fixed Swift types, returning `R` (`Kernel.typed`).
public struct TypedKernel1<A: KernelArgument, R>: Sendable {
    public let core: TypedKernelCore
    /// Checks each argument's type and rank and calls the native code.
    @inlinable public func callAsFunction(_ a: A) throws -> R {
        try core.call({ frame in
            try core.put(a, 0, frame)
        }, arrays: { k, body in
            switch k { case 0: a.withKernelArgumentArray(body); default: break }
        })
    }
}

/// A kernel of two parameters with fixed Swift types, returning `R` (`Kernel.typed`).
public struct TypedKernel2<A: KernelArgument, B: KernelArgument, R>: Sendable {
    public let core: TypedKernelCore
    /// Checks each argument's type and rank and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B) throws -> R {
        try core.call({ frame in
            try core.put(a, 0, frame)
            try core.put(b, 1, frame)
        }, arrays: { k, body in
            switch k { case 0: a.withKernelArgumentArray(body); case 1: b.withKernelArgumentArray(body); default: break }
        })
    }
}

/// A kernel of three parameters with fixed Swift types, returning `R` (`Kernel.typed`).
public struct TypedKernel3<A: KernelArgument, B: KernelArgument, C: KernelArgument, R>: Sendable {
    public let core: TypedKernelCore
    /// Checks each argument's type and rank and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, _ c: C) throws -> R {
        try core.call({ frame in
            try core.put(a, 0, frame)
            try core.put(b, 1, frame)
            try core.put(c, 2, frame)
        }, arrays: { k, body in
            switch k {
            case 0: a.withKernelArgumentArray(body); case 1: b.withKernelArgumentArray(body); case 2: c.withKernelArgumentArray(body)
            default: break
            }
        })
    }
}

/// A kernel of four parameters with fixed Swift types, returning `R` (`Kernel.typed`).
public struct TypedKernel4<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument, R>: Sendable {
    public let core: TypedKernelCore
    /// Checks each argument's type and rank and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, _ c: C, _ d: D) throws -> R {
        try core.call({ frame in
            try core.put(a, 0, frame)
            try core.put(b, 1, frame)
            try core.put(c, 2, frame)
            try core.put(d, 3, frame)
        }, arrays: { k, body in
            switch k {
            case 0: a.withKernelArgumentArray(body); case 1: b.withKernelArgumentArray(body); case 2: c.withKernelArgumentArray(body)
            case 3: d.withKernelArgumentArray(body)
            default: break
            }
        })
    }
}

/// A kernel of five parameters with fixed Swift types, returning `R` (`Kernel.typed`).
public struct TypedKernel5<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument,
                              E: KernelArgument, R>: Sendable {
    public let core: TypedKernelCore
    /// Checks each argument's type and rank and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, _ c: C, _ d: D, _ e: E) throws -> R {
        try core.call({ frame in
            try core.put(a, 0, frame)
            try core.put(b, 1, frame)
            try core.put(c, 2, frame)
            try core.put(d, 3, frame)
            try core.put(e, 4, frame)
        }, arrays: { k, body in
            switch k {
            case 0: a.withKernelArgumentArray(body); case 1: b.withKernelArgumentArray(body); case 2: c.withKernelArgumentArray(body)
            case 3: d.withKernelArgumentArray(body); case 4: e.withKernelArgumentArray(body)
            default: break
            }
        })
    }
}

/// A kernel of six parameters with fixed Swift types, returning `R` (`Kernel.typed`).
public struct TypedKernel6<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument,
                              E: KernelArgument, F: KernelArgument, R>: Sendable {
    public let core: TypedKernelCore
    /// Checks each argument's type and rank and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, _ c: C, _ d: D, _ e: E, _ f: F) throws -> R {
        try core.call({ frame in
            try core.put(a, 0, frame)
            try core.put(b, 1, frame)
            try core.put(c, 2, frame)
            try core.put(d, 3, frame)
            try core.put(e, 4, frame)
            try core.put(f, 5, frame)
        }, arrays: { k, body in
            switch k {
            case 0: a.withKernelArgumentArray(body); case 1: b.withKernelArgumentArray(body); case 2: c.withKernelArgumentArray(body)
            case 3: d.withKernelArgumentArray(body); case 4: e.withKernelArgumentArray(body); case 5: f.withKernelArgumentArray(body)
            default: break
            }
        })
    }
}

/// An elementwise expression of one argument with fixed Swift types, writing into `O` (`CompiledExpression.typed`).
public struct TypedExpression1<A: KernelArgument, O: ExpressionOutput>: Sendable {
    public let core: TypedExpressionCore
    /// Checks the arguments against `out` and calls the native code.
    @inlinable public func callAsFunction(_ a: A, out: O) throws {
        try core.call(out) { frame, shape in
            try core.put(a, 0, frame, shape)
        }
    }
}

/// An elementwise expression of two arguments with fixed Swift types, writing into `O` (`CompiledExpression.typed`).
public struct TypedExpression2<A: KernelArgument, B: KernelArgument, O: ExpressionOutput>: Sendable {
    public let core: TypedExpressionCore
    /// Checks the arguments against `out` and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, out: O) throws {
        try core.call(out) { frame, shape in
            try core.put(a, 0, frame, shape)
            try core.put(b, 1, frame, shape)
        }
    }
}

/// An elementwise expression of three arguments with fixed Swift types, writing into `O` (`CompiledExpression.typed`).
public struct TypedExpression3<A: KernelArgument, B: KernelArgument, C: KernelArgument, O: ExpressionOutput>: Sendable {
    public let core: TypedExpressionCore
    /// Checks the arguments against `out` and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, _ c: C, out: O) throws {
        try core.call(out) { frame, shape in
            try core.put(a, 0, frame, shape)
            try core.put(b, 1, frame, shape)
            try core.put(c, 2, frame, shape)
        }
    }
}

/// An elementwise expression of four arguments with fixed Swift types, writing into `O` (`CompiledExpression.typed`).
public struct TypedExpression4<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument,
                                  O: ExpressionOutput>: Sendable {
    public let core: TypedExpressionCore
    /// Checks the arguments against `out` and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, _ c: C, _ d: D, out: O) throws {
        try core.call(out) { frame, shape in
            try core.put(a, 0, frame, shape)
            try core.put(b, 1, frame, shape)
            try core.put(c, 2, frame, shape)
            try core.put(d, 3, frame, shape)
        }
    }
}

/// An elementwise expression of five arguments with fixed Swift types, writing into `O` (`CompiledExpression.typed`).
public struct TypedExpression5<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument,
                                  E: KernelArgument, O: ExpressionOutput>: Sendable {
    public let core: TypedExpressionCore
    /// Checks the arguments against `out` and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, _ c: C, _ d: D, _ e: E, out: O) throws {
        try core.call(out) { frame, shape in
            try core.put(a, 0, frame, shape)
            try core.put(b, 1, frame, shape)
            try core.put(c, 2, frame, shape)
            try core.put(d, 3, frame, shape)
            try core.put(e, 4, frame, shape)
        }
    }
}

/// An elementwise expression of six arguments with fixed Swift types, writing into `O` (`CompiledExpression.typed`).
public struct TypedExpression6<A: KernelArgument, B: KernelArgument, C: KernelArgument, D: KernelArgument,
                                  E: KernelArgument, F: KernelArgument, O: ExpressionOutput>: Sendable {
    public let core: TypedExpressionCore
    /// Checks the arguments against `out` and calls the native code.
    @inlinable public func callAsFunction(_ a: A, _ b: B, _ c: C, _ d: D, _ e: E, _ f: F, out: O) throws {
        try core.call(out) { frame, shape in
            try core.put(a, 0, frame, shape)
            try core.put(b, 1, frame, shape)
            try core.put(c, 2, frame, shape)
            try core.put(d, 3, frame, shape)
            try core.put(e, 4, frame, shape)
            try core.put(f, 5, frame, shape)
        }
    }
}
