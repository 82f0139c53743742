// Vectorisable math functions emitted as LLVM IR.
//
// Each function is one internal, `alwaysinline`, branch-free scalar LLVM function per float type
// (`sj.vm.exp.f64`, ...). The loop calls it; after inlining, the loop vectoriser widens it to
// whatever vector width the target offers (2/4/8 doubles, 4/8/16 floats), because every step is
// an ordinary instruction or a vectorisable intrinsic (`llvm.fma`, `llvm.rint`, `llvm.fabs`,
// `llvm.trunc`). No tables, no branches, no calls: special values are handled by selects.
//
// Which builtin uses which implementation, per type and math mode, is its row's `vector` in the
// builtin table (JITSema's Builtins.swift; measured: see docs/vector-math.md and scripts/accuracy,
// scripts/throughput), applied by `VectorMath.choice`; the bodies are VMBuilder.body's cases. Strict mode keeps
// glibc's libm (correctly rounded in practice, < 1 ULP), unless the table says otherwise.
// Everything here needs hardware FMA (all x86-64 targets with AVX2 or AVX-512 have it); without it
// the builtins keep their libm/intrinsic lowering.
import CLLVM
import JITSema
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// glibc's libmvec on this process: Linux x86-64 with `libmvec.so.1` loadable (loaded once,
/// RTLD_GLOBAL and never closed, so the JIT's process-symbol generator finds its functions).
/// Whether code uses it is `LoweringOptions.libmvec` (`SWIFTJIT_LIBMVEC=0` turns that off).
public enum LibMVec {
    public static let available: Bool = {
        #if os(Linux) && arch(x86_64)
        guard let handle = dlopen("libmvec.so.1", RTLD_NOW | RTLD_GLOBAL) else { return false }
        // glibc 2.35+ has the full set (earlier ones only sin, cos, exp, log, pow).
        return dlsym(handle, "_ZGVeN8v_erfc") != nil && dlsym(handle, "_ZGVdN4v_erfc") != nil
        #else
        return false
        #endif
    }()

    /// The libmvec ISA letters usable on a target with `features` (LLVM's "+avx2,+avx512f,..."),
    /// widest last: SSE `b` (2 doubles / 4 floats), AVX2 `d` (4 / 8), AVX-512 `e` (8 / 16).
    /// Empty (libmvec not used) without AVX2 or without libmvec.
    static func isas(features: String) -> [(letter: String, f64Lanes: Int)] {
        guard available else { return [] }
        let fs = Set(features.split(separator: ",").map(String.init))
        guard fs.contains("+avx2"), fs.contains("+fma") else { return [] }
        var result = [("b", 2), ("d", 4)]
        if fs.contains("+avx512f") { result.append(("e", 8)) }
        return result
    }
}

public enum VectorMath {
    /// Which implementation a builtin with vector lowering `vector` uses for `type` in `mode`, by
    /// its row (libmvec only when `libmvec` says it is usable for the target; else ours; `.libm`
    /// for all when `vectorMath` is off or the row has none).
    public static func choice(_ vector: VectorLowering?, _ type: DType, _ mode: MathMode,
                              libmvec: Bool = LibMVec.available, vectorMath: Bool = true) -> VectorMathImplementation {
        guard let vector, type == .float32 || type == .float64, vectorMath else { return .libm }
        let c = vector.choice(type, mode)
        return c == .libmvec && !libmvec ? .polynomial : c
    }
}

// MARK: - Hook for EmitBuiltins

extension Emitter {
    /// A call of our implementation of builtin `row` when its row chooses it for this type and
    /// math mode (and the target has FMA); nil to lower by the row's rule.
    func vectorMathCall(_ row: Builtin, _ args: [LLVMValueRef], _ t: DType) -> LLVMValueRef? {
        guard let vector = row.vector, args.count == vector.kernel.arity, t == .float32 || t == .float64,
              machine.features.contains("+fma") else { return nil }
        let isas = options.libmvec ? LibMVec.isas(features: machine.features) : []
        switch VectorMath.choice(vector, t, options.mathMode, libmvec: !isas.isEmpty, vectorMath: options.vectorMath) {
        case .libm: return nil
        case .libmvec: return libmvecCall(row, args, t, isas: isas)
        case .polynomial: break
        }
        let name = vector.kernel.rawValue
        let typeName = t == .float64 ? "f64" : "f32"
        let variants = vector.variants
        let symbol = variants ? "sj_vm_\(name)_\(typeName)" : "sj.vm.\(name).\(typeName)"
        let (fn, type) = scalarMathFunction(symbol, vector.kernel, t, inline: !variants)
        var a: [LLVMValueRef?] = args
        let call = LLVMBuildCall2(b, type, fn, &a, UInt32(args.count), "")!
        if variants {
            let mangled = vectorVariants(vector.kernel, t, scalar: fn, scalarName: symbol)
            let key = "vector-function-abi-variant"
            let attr = LLVMCreateStringAttribute(ctx, key, UInt32(key.utf8.count), mangled, UInt32(mangled.utf8.count))
            LLVMAddCallSiteAttribute(call, LLVMAttributeIndex(bitPattern: -1), attr)
        }
        return call
    }

    /// A call of our scalar function (`noinline`, `memory(none)`; it computes scalar remainders)
    /// whose `vector-function-abi-variant` call-site attribute names glibc's libmvec variants for
    /// every ISA the target has (`_ZGVbN2v_exp`, `_ZGVdN4v_exp`, `_ZGVeN8v_exp`; float32:
    /// `_ZGVbN4v_expf`, ...), declared in the module: the loop vectoriser calls the one of its
    /// chosen width. The JIT finds them in libmvec.so.1, which `LibMVec.available` loaded.
    private func libmvecCall(_ row: Builtin, _ args: [LLVMValueRef], _ t: DType,
                             isas: [(letter: String, f64Lanes: Int)]) -> LLVMValueRef? {
        guard let vector = row.vector, let libm = row.libm else { return nil }
        let ft = valueType(t)
        let wide = t == .float64
        let symbol = "sj_mvec_\(vector.kernel.rawValue)_\(wide ? "f64" : "f32")"
        let (fn, type) = scalarMathFunction(symbol, vector.kernel, t, inline: false)
        let glibc = libm + (wide ? "" : "f")
        let params = String(repeating: "v", count: args.count)
        var mangled: [String] = []
        for isa in isas {
            let lanes = wide ? isa.f64Lanes : 2 * isa.f64Lanes
            let vectorName = "_ZGV\(isa.letter)N\(lanes)\(params)_\(glibc)"
            mangled.append("_ZGV\(isa.letter)N\(lanes)\(params)_\(symbol)(\(vectorName))")
            let vt = LLVMVectorType(ft, UInt32(lanes))!
            let (vfn, _) = function(vectorName, vt, args.map { _ in vt })
            if LLVMCountBasicBlocks(vfn) == 0 { markPure(vfn) }
            keepDeclaration(vfn)
        }
        var a: [LLVMValueRef?] = args
        let call = LLVMBuildCall2(b, type, fn, &a, UInt32(args.count), "")!
        let key = "vector-function-abi-variant", value = mangled.joined(separator: ",")
        let attr = LLVMCreateStringAttribute(ctx, key, UInt32(key.utf8.count), value, UInt32(value.utf8.count))
        LLVMAddCallSiteAttribute(call, LLVMAttributeIndex(bitPattern: -1), attr)
        return call
    }

    /// Our scalar function `symbol` of `kernel`, defined (internal) on first use: inlined
    /// everywhere, or `noinline` and pure when vector variants stand for it.
    private func scalarMathFunction(_ symbol: String, _ kernel: VectorKernel, _ t: DType,
                                    inline: Bool) -> (LLVMValueRef, LLVMTypeRef) {
        let ft = valueType(t)
        let (fn, type) = function(symbol, ft, Array(repeating: ft, count: kernel.arity))
        if LLVMCountBasicBlocks(fn) == 0 {
            buildMathBody(fn, kernel, t)
            LLVMSetLinkage(fn, LLVMInternalLinkage)
            setMathAttributes(fn)
            if inline {
                addAttribute(fn, "alwaysinline")
            } else {
                addAttribute(fn, "noinline")
                markPure(fn)
            }
        }
        return (fn, type)
    }

    /// Adds `fn` to `@llvm.compiler.used`, so no pass deletes the (so far unused) declaration of a
    /// vector variant before the loop vectoriser refers to it by name (as LLVM's own
    /// InjectTLIMappings does).
    private func keepDeclaration(_ fn: LLVMValueRef) {
        let name = "llvm.compiler.used"
        let ptr = LLVMPointerType(LLVMInt8TypeInContext(ctx), 0)!
        var elements: [LLVMValueRef?] = []
        if let old = LLVMGetNamedGlobal(module.ref, name) {
            if let initializer = LLVMGetInitializer(old) {
                for i in 0..<LLVMGetNumOperands(initializer) { elements.append(LLVMGetOperand(initializer, UInt32(i))) }
            }
            LLVMDeleteGlobal(old)
        }
        let entry = LLVMConstBitCast(fn, ptr)
        if elements.contains(where: { $0 == entry }) { elements.removeAll { $0 == entry } }
        elements.append(entry)
        let type = LLVMArrayType(ptr, UInt32(elements.count))!
        let global = LLVMAddGlobal(module.ref, type, name)!
        LLVMSetInitializer(global, LLVMConstArray(ptr, &elements, UInt32(elements.count)))
        LLVMSetLinkage(global, LLVMAppendingLinkage)
        LLVMSetSection(global, "llvm.metadata")
    }

    /// Emits the scalar body of `fn`, `kernel` of its parameters.
    private func buildMathBody(_ fn: LLVMValueRef, _ kernel: VectorKernel, _ t: DType) {
        let builder = LLVMCreateBuilderInContext(ctx)!
        defer { LLVMDisposeBuilder(builder) }
        LLVMPositionBuilderAtEnd(builder, LLVMAppendBasicBlockInContext(ctx, fn, "entry"))
        var vm = VMBuilder(ctx: ctx, module: module.ref, b: builder, wide: t == .float64)
        vm.lanes = 0
        vm.reduceHuge = true
        let x = LLVMGetParam(fn, 0)!
        LLVMBuildRet(builder, vm.body(kernel, x, kernel.arity == 2 ? LLVMGetParam(fn, 1) : nil))
    }

    /// Target CPU and features, nounwind; deliberately none of the fast-math function attributes
    /// LLVM 14 uses for fast mode: these functions are exact code that relies on infinities and
    /// on the order of its operations (on LLVM 14, inlining one into a fast-mode loop therefore
    /// drops those attributes from the loop, making it as precise as relaxed mode).
    private func setMathAttributes(_ fn: LLVMValueRef) {
        addStringAttribute(fn, "target-cpu", machine.cpu)
        if !machine.features.isEmpty { addStringAttribute(fn, "target-features", machine.features) }
        addAttribute(fn, "nounwind")
    }

    /// No memory access (the table loads read constant memory), no unwinding: what the
    /// vectoriser needs to call the function on vectors.
    private func markPure(_ fn: LLVMValueRef) {
        let memory = LLVMGetEnumAttributeKindForName("memory", 6)
        if memory != 0 {
            LLVMAddAttributeAtIndex(fn, LLVMAttributeIndex(bitPattern: -1), LLVMCreateEnumAttribute(ctx, memory, 0))  // memory(none)
        } else {
            addAttribute(fn, "readnone")
        }
        addAttribute(fn, "nounwind")
        addAttribute(fn, "willreturn")
    }

    /// Defines the vector variants of the scalar function `scalar` (2/4/8 doubles, 4/8/16 floats)
    /// and returns their mangled names for the call-site attribute. The variants have external
    /// linkage (so nothing deletes them before the vectoriser refers to them by name) and names
    /// unique to this module.
    private func vectorVariants(_ kernel: VectorKernel, _ t: DType, scalar: LLVMValueRef, scalarName: String) -> String {
        var length = 0
        let moduleName = String(cString: LLVMGetModuleIdentifier(module.ref, &length))
        var mangled: [String] = []
        for lanes in t == .float64 ? [2, 4, 8] : [4, 8, 16] {
            let vectorName = "\(moduleName).\(scalarName).v\(lanes)"
            mangled.append("_ZGV_LLVM_N\(lanes)v_\(scalarName)(\(vectorName))")
            let vt = LLVMVectorType(valueType(t), UInt32(lanes))!
            let (vfn, _) = function(vectorName, vt, [vt])
            if LLVMCountBasicBlocks(vfn) > 0 { continue }
            setMathAttributes(vfn)
            markPure(vfn)
            LLVMSetVisibility(vfn, LLVMHiddenVisibility)
            emitVectorVariant(vfn, kernel, t, lanes: lanes, scalar: scalar)
        }
        return mangled.joined(separator: ",")
    }

    /// entry: the common path on all lanes; if any |x| > trigLimit, every lane again through the
    /// scalar function (rare), else return.
    private func emitVectorVariant(_ vfn: LLVMValueRef, _ kernel: VectorKernel, _ t: DType, lanes: Int, scalar: LLVMValueRef) {
        let builder = LLVMCreateBuilderInContext(ctx)!
        defer { LLVMDisposeBuilder(builder) }
        let entry = LLVMAppendBasicBlockInContext(ctx, vfn, "entry")
        let slow = LLVMAppendBasicBlockInContext(ctx, vfn, "slow")
        let done = LLVMAppendBasicBlockInContext(ctx, vfn, "done")
        LLVMPositionBuilderAtEnd(builder, entry)
        var vm = VMBuilder(ctx: ctx, module: module.ref, b: builder, wide: t == .float64)
        vm.lanes = lanes
        vm.reduceHuge = false
        let x = LLVMGetParam(vfn, 0)!
        let fast = vm.body(kernel, x)
        let huge = vm.cmp(LLVMRealOGT, vm.fabs(x), vm.trigLimit)
        let mask = LLVMBuildBitCast(builder, huge, LLVMIntTypeInContext(ctx, UInt32(lanes)), "mask")
        let any = LLVMBuildICmp(builder, LLVMIntNE, mask, LLVMConstInt(LLVMIntTypeInContext(ctx, UInt32(lanes)), 0, 0), "any")
        LLVMBuildCondBr(builder, any, slow, done)
        LLVMPositionBuilderAtEnd(builder, slow)
        let st = valueType(t)
        var stParams: [LLVMTypeRef?] = [st]
        let scalarType = LLVMFunctionType(st, &stParams, 1, 0)
        var acc = fast
        for i in 0..<lanes {
            let index = LLVMConstInt(i32, UInt64(i), 0)
            var a: [LLVMValueRef?] = [LLVMBuildExtractElement(builder, x, index, "")]
            let y = LLVMBuildCall2(builder, scalarType, scalar, &a, 1, "")
            acc = LLVMBuildInsertElement(builder, acc, y, index, "")!
        }
        LLVMBuildBr(builder, done)
        LLVMPositionBuilderAtEnd(builder, done)
        let phi = LLVMBuildPhi(builder, LLVMTypeOf(fast), "r")!
        var values: [LLVMValueRef?] = [fast, acc]
        var blocks: [LLVMBasicBlockRef?] = [entry, slow]
        LLVMAddIncoming(phi, &values, &blocks, 2)
        LLVMBuildRet(builder, phi)
    }
}
