// Vectorisable math functions emitted as LLVM IR.
//
// Each function is one internal, `alwaysinline`, branch-free scalar LLVM function per float type
// (`sj.vm.exp.f64`, ...). The loop calls it; after inlining, the loop vectoriser widens it to
// whatever vector width the target offers (2/4/8 doubles, 4/8/16 floats), because every step is
// an ordinary instruction or a vectorisable intrinsic (`llvm.fma`, `llvm.rint`, `llvm.fabs`,
// `llvm.trunc`). No tables, no branches, no calls: special values are handled by selects.
//
// Which builtin uses which implementation, per type and math mode, is `VectorMath.choice`
// (measured: see docs/vector-math.md and scripts/accuracy, scripts/throughput). Strict mode keeps
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

/// The choice of implementation of a builtin per type and math mode.
public enum VectorMathImplementation: String, Sendable {
    /// The rule of the builtin table (scalar libm call or LLVM intrinsic).
    case libm
    /// Our polynomial implementation in this file (inlined and vectorised).
    case polynomial
    /// glibc's libmvec vector variants (`_ZGVeN8v_exp`, ...), called by the loop vectoriser
    /// through the vector-function ABI; our polynomial for scalar remainders. Only where libmvec
    /// is usable (`LibMVec`); else `polynomial`.
    case libmvec
}

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
    /// Functions implemented here, for float32 and float64.
    public static let implemented: Set<String> = [
        "exp", "exp2", "exp10", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan",
        "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
        "pow", "arctan2", "cbrt", "erf", "erfc",
    ]

    private static let L = VectorMathImplementation.libm
    private static let P = VectorMathImplementation.polynomial
    private static let V = VectorMathImplementation.libmvec

    /// THE choice table: implementation per function, type and mode, each as
    /// `[strict, relaxed, fast]`. Made by measurement (docs/vector-math.md, tables "Measured
    /// accuracy" and "Throughput", AVX-512 machine, glibc 2.36; scripts/accuracy --libmvec,
    /// scripts/throughput):
    /// - strict: glibc scalar libm (its accuracy is what strict promises).
    /// - relaxed: ours everywhere: one scalar algorithm, so an element's result is the same at
    ///   every vector width, on every x86-64 with FMA and with or without glibc/libmvec (libmvec's
    ///   AVX2 and AVX-512 variants are different code; it does not exist on macOS or musl).
    /// - fast: libmvec where it had at least 1.1x our throughput (elements/ns, same run) AND a
    ///   measured max error <= 3.5 ULP over all measured arguments (the bound is 4; huge trigonometric
    ///   arguments included); else ours. The comment of each row gives libmvec's throughput
    ///   relative to ours and its max ULP, f64 then f32.
    static let table: [String: (f64: [VectorMathImplementation], f32: [VectorMathImplementation])] = [
        "exp": ([L, P, P], [L, P, P]),      // 0.97x 3.05 | 1.01x 2.41: not faster
        "exp2": ([L, P, V], [L, P, V]),     // 1.39x 1.02 | 1.75x 0.97
        "exp10": ([L, P, V], [L, P, P]),    // 1.37x 1.54 | 1.36x 3.75 ULP: too close to 4
        "expm1": ([L, P, V], [L, P, V]),    // 1.59x 2.04 | 1.72x 2.23
        "log": ([L, P, V], [L, P, P]),      // 1.13x 1.48 | 1.58x (ours 1.6x faster in another run) 3.87 ULP
        "log2": ([L, P, V], [L, P, V]),     // 2.05x 1.82 | 3.13x 2.04
        "log10": ([L, P, V], [L, P, V]),    // 2.10x 1.79 | 3.26x 3.03
        "log1p": ([L, P, V], [L, P, V]),    // 2.45x 1.92 | 1.91x 1.86
        "sin": ([L, P, V], [L, P, V]),      // 1.75x 3.17 | 2.00x 1.72
        "cos": ([L, P, P], [L, P, V]),      // 1.37x 3.26 but 8 ULP for |x| > 1e9 | 2.06x 1.74
        "tan": ([L, P, V], [L, P, V]),      // 1.69x 3.06 (3.1 huge) | 1.71x 3.04 (3.1 huge)
        "sinh": ([L, P, V], [L, P, V]),     // 1.78x 1.85 | 3.19x 1.77
        "cosh": ([L, P, P], [L, P, V]),     // 0.81x (2.5x in another run): unclear | 2.45x 2.25
        "tanh": ([L, P, P], [L, P, V]),     // 1.02x 1.12: not faster | 1.98x 1.34
        "arcsin": ([L, P, V], [L, P, V]),   // 2.33x 2.43 | 2.70x 3.04
        "arccos": ([L, P, V], [L, P, V]),   // 2.05x 1.67 | 2.38x 1.81
        "arctan": ([L, P, V], [L, P, V]),   // 1.25x 1.51 | 1.41x 1.93
        "arcsinh": ([L, P, V], [L, P, V]),  // 1.61x 1.42 | 1.97x 0.89
        "arccosh": ([L, P, V], [L, P, V]),  // 1.37x 1.51 | 1.54x 1.16
        "arctanh": ([L, P, V], [L, P, V]),  // 1.87x 1.35 | 2.21x 1.47
        "cbrt": ([L, P, V], [L, P, V]),     // 2.01x 1.78 | 2.23x 1.93
        "erf": ([L, P, V], [L, P, P]),      // 2.42x 2.44 | 2.02x 4.00 ULP: at the bound
        "erfc": ([L, P, V], [L, P, V]),     // 2.10x 1.83 | 1.23x 1.49
        "pow": ([L, P, V], [L, P, V]),      // 1.91x 1.11 | 1.53x 0.89
        "arctan2": ([L, P, V], [L, P, V]),  // 1.37x 2.54 | 1.61x 3.02
    ]

    /// glibc's name of builtin `name` for float64 (float32 adds `f`).
    static let glibcName: [String: String] = [
        "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arcsinh": "asinh", "arccosh": "acosh",
        "arctanh": "atanh", "arctan2": "atan2",
    ]

    /// Which implementation `name` uses for `type` in `mode`, by `table` (libmvec only when
    /// `libmvec` says it is usable for the target; else ours; `.libm` for all when `vectorMath`
    /// is off).
    public static func choice(_ name: String, _ type: DType, _ mode: MathMode,
                              libmvec: Bool = LibMVec.available, vectorMath: Bool = true) -> VectorMathImplementation {
        guard let row = table[name], type == .float32 || type == .float64, vectorMath else { return .libm }
        let modes = type == .float64 ? row.f64 : row.f32
        let index: Int
        switch mode {
        case .strict: index = 0
        case .relaxed: index = 1
        case .fast: index = 2
        }
        let c = modes[index]
        return c == .libmvec && !libmvec ? .polynomial : c
    }
}

// MARK: - Hook for EmitBuiltins

extension VectorMath {
    /// Functions with a rare expensive path (Payne-Hanek for huge arguments). Computing it for
    /// every element of branch-free vector code would cost 3x (f64) to 8x (f32), so these are
    /// called (not inlined) and get explicit vector variants that the loop vectoriser calls
    /// through LLVM's vector-function ABI (`vector-function-abi-variant`): each variant computes
    /// the common path for all lanes and branches to the scalar function only when some lane
    /// needs it.
    static let withVectorVariants: Set<String> = ["sin", "cos", "tan"]
}

extension Emitter {
    /// A call of our implementation of builtin `name` when the table chooses it for this type and
    /// math mode (and the target has FMA); nil to lower by the builtin table's rule.
    func vectorMathCall(_ name: String, _ args: [LLVMValueRef], _ t: DType) -> LLVMValueRef? {
        guard args.count == 1 || args.count == 2, t == .float32 || t == .float64,
              machine.features.contains("+fma") else { return nil }
        let isas = options.libmvec ? LibMVec.isas(features: machine.features) : []
        switch VectorMath.choice(name, t, options.mathMode, libmvec: !isas.isEmpty, vectorMath: options.vectorMath) {
        case .libm: return nil
        case .libmvec: return libmvecCall(name, args, t, isas: isas)
        case .polynomial: break
        }
        let typeName = t == .float64 ? "f64" : "f32"
        let variants = VectorMath.withVectorVariants.contains(name)
        let symbol = variants ? "sj_vm_\(name)_\(typeName)" : "sj.vm.\(name).\(typeName)"
        guard let (fn, type) = scalarMathFunction(symbol, name, t, arity: args.count, inline: !variants) else { return nil }
        var a: [LLVMValueRef?] = args
        let call = LLVMBuildCall2(b, type, fn, &a, UInt32(args.count), "")!
        if variants {
            let mangled = vectorVariants(name, t, scalar: fn, scalarName: symbol)
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
    private func libmvecCall(_ name: String, _ args: [LLVMValueRef], _ t: DType,
                             isas: [(letter: String, f64Lanes: Int)]) -> LLVMValueRef? {
        let ft = valueType(t)
        let wide = t == .float64
        let symbol = "sj_mvec_\(name)_\(wide ? "f64" : "f32")"
        guard let (fn, type) = scalarMathFunction(symbol, name, t, arity: args.count, inline: false) else { return nil }
        let glibc = (VectorMath.glibcName[name] ?? name) + (wide ? "" : "f")
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

    /// Our scalar function `symbol` for builtin `name`, defined (internal) on first use: inlined
    /// everywhere, or `noinline` and pure when vector variants stand for it. nil when `name` has
    /// no implementation here.
    private func scalarMathFunction(_ symbol: String, _ name: String, _ t: DType, arity: Int,
                                    inline: Bool) -> (LLVMValueRef, LLVMTypeRef)? {
        let ft = valueType(t)
        let (fn, type) = function(symbol, ft, Array(repeating: ft, count: arity))
        if LLVMCountBasicBlocks(fn) == 0 {
            guard buildMathBody(fn, name, t, lanes: 0, reduceHuge: true) else {
                LLVMDeleteFunction(fn)
                return nil
            }
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

    /// Emits the body of `fn` (scalar, or explicit vector code of `lanes` lanes); false when
    /// `name` has no implementation here.
    private func buildMathBody(_ fn: LLVMValueRef, _ name: String, _ t: DType, lanes: Int, reduceHuge: Bool) -> Bool {
        let builder = LLVMCreateBuilderInContext(ctx)!
        defer { LLVMDisposeBuilder(builder) }
        LLVMPositionBuilderAtEnd(builder, LLVMAppendBasicBlockInContext(ctx, fn, "entry"))
        var vm = VMBuilder(ctx: ctx, module: module.ref, b: builder, wide: t == .float64)
        vm.lanes = lanes
        vm.reduceHuge = reduceHuge
        let x = LLVMGetParam(fn, 0)!
        let result = LLVMCountParams(fn) == 2 ? vm.binaryBody(name, x, LLVMGetParam(fn, 1)) : vm.body(name, x)
        guard let result else { return false }
        LLVMBuildRet(builder, result)
        return true
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
    private func vectorVariants(_ name: String, _ t: DType, scalar: LLVMValueRef, scalarName: String) -> String {
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
            emitVectorVariant(vfn, name, t, lanes: lanes, scalar: scalar)
        }
        return mangled.joined(separator: ",")
    }

    /// entry: the common path on all lanes; if any |x| > trigLimit, every lane again through the
    /// scalar function (rare), else return.
    private func emitVectorVariant(_ vfn: LLVMValueRef, _ name: String, _ t: DType, lanes: Int, scalar: LLVMValueRef) {
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
        let fast = vm.body(name, x)!
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
