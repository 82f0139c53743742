// The typed call path of compiled kernels (SwiftJIT's TypedKernel wrappers). The caller lays out
// one frame of Int64 words on its own stack: the argument pointers (words 0..<parameterCount),
// the argument slots they point at (a scalar's value, or an array descriptor {data, shape,
// strides}) and the result slots. These run the native entry on that frame: no lock, no
// dictionary, no boxing and no allocation beyond what the kernel itself allocates.
import CJITSupport

extension CompiledKernelFunction {
    /// Runs the kernel on `frame` (argument pointers first, result slots from word `results`),
    /// then frees every allocation the call made: for kernels whose results are scalars (or
    /// nothing), which the caller reads from the result slots. Throws the kernel's run-time error.
    public func call(frame: UnsafeMutablePointer<Int64>, results: Int, source: String) throws {
        var context = sj_context()
        let code = entry(UnsafeRawPointer(frame).assumingMemoryBound(to: UnsafeMutableRawPointer?.self),
                         frame + results, &context)
        if context.allocations != nil { sj_context_release(&context, nil, 0) }
        if code != 0 { throw error(code, context, source) }
    }

    /// Runs the kernel on `frame` and returns its first result, an array: it takes over the
    /// kernel allocation it lies in, or is a view of the argument (in `arguments`) it lies in.
    public func callReturningArray(frame: UnsafeMutablePointer<Int64>, results: Int, arguments: [Argument],
                                   source: String) throws -> NDArray {
        var context = sj_context()
        let code = entry(UnsafeRawPointer(frame).assumingMemoryBound(to: UnsafeMutableRawPointer?.self),
                         frame + results, &context)
        return try collect(code, &context, results: frame + results, arguments: arguments, source: source)[0]
    }
}
