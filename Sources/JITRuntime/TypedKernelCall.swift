// The typed call path of compiled kernels (SwiftJIT's TypedKernel wrappers). The caller lays out
// one frame of Int64 words on its own stack: the argument pointers (words 0..<parameterCount),
// the argument slots they point at (a scalar's value, or an array descriptor {data, shape,
// strides}) and the result slots. These run the native entry on that frame: no lock, no
// dictionary, no boxing and no allocation beyond what the kernel itself allocates.
import CJITSupport
import JITLowering
import JITSema

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

    /// Runs the kernel on `frame` and returns its first result, an array: a view of the argument
    /// it lies in when `argumentView` finds one (given the data pointer, dtype, shape and
    /// strides), else it takes over the kernel allocation it lies in; every other allocation of
    /// the call is freed. Builds only the result itself; `like` may hand over equal shape and
    /// strides arrays (of an argument) given the result slot and rank, so none are allocated.
    public func callReturningArray(frame: UnsafeMutablePointer<Int64>, results: Int, source: String,
                                   like: (UnsafeMutablePointer<Int64>, Int) -> (shape: [Int]?, strides: [Int]?) = { _, _ in (nil, nil) },
                                   argumentView: (UnsafeMutableRawPointer, DType, [Int], [Int]) -> NDArray?) throws -> NDArray {
        var context = sj_context()
        let code = entry(UnsafeRawPointer(frame).assumingMemoryBound(to: UnsafeMutableRawPointer?.self),
                         frame + results, &context)
        if code != 0 {
            sj_context_release(&context, nil, 0)
            throw error(code, context, source)
        }
        guard case .array(let d, let rank)? = kernel.returnTypes.first else {
            preconditionFailure("callReturningArray on a kernel that does not return an array")
        }
        let slot = frame + results
        let known = like(slot, rank)
        let shape = known.shape ?? (0..<rank).map { Int(slot[1 + $0]) }
        let strides = known.strides ?? (0..<rank).map { Int(slot[1 + KernelGen.maxRank + $0]) }
        guard let data = UnsafeMutableRawPointer(bitPattern: Int(slot[0])) else {
            sj_context_release(&context, nil, 0)
            return NDArray(zeros: d, sharedShape: shape)
        }
        if let view = argumentView(data, d, shape, strides) {
            sj_context_release(&context, nil, 0)
            return view
        }
        // The allocation it lies in: the closest one starting at or below it.
        var base: UnsafeMutableRawPointer?, index = 0
        for k in 0..<Int(context.count) {
            if let p = context.allocations[k], p <= data, base.map({ p > $0 }) ?? true { base = p; index = k }
        }
        guard let keep = base else {
            sj_context_release(&context, nil, 0)
            return NDArray(dtype: d, shape: shape, strides: strides, storage: ArrayStorage(borrowing: data, byteCount: 0)).copy()
        }
        let storage = ArrayStorage.adopting(keep, sizedBytes: sj_context_sized_bytes(&context, Int64(index)))
        var kept: UnsafeMutableRawPointer? = keep
        sj_context_release(&context, &kept, 1)
        return NDArray(dtype: d, shape: shape, strides: strides, storage: storage, offset: (data - keep) / d.size)
    }
}
