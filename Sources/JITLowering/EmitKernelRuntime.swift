// Calls of the kernel runtime's functions (CJITSupport): the random number generator. Their last
// IR operand is the hidden call-site number that keeps calls distinct; it is not passed on.
import CLLVM
import JITSema

extension Emitter {
    func runtimeCall(_ symbol: String, _ argIDs: [ValueID]) -> LLVMValueRef {
        let args = argIDs.dropLast().map(value)
        switch symbol {
        case "sj_seed":
            let (fn, type) = function(symbol, voidType, [i64])
            var a: [LLVMValueRef?] = args
            LLVMBuildCall2(b, type, fn, &a, UInt32(a.count), "")
            return LLVMConstInt(i1, 1, 0)
        default:
            let (fn, type) = function(symbol, f64, args.map { _ in f64 })
            addAttribute(fn, "nounwind")
            var a: [LLVMValueRef?] = args
            return LLVMBuildCall2(b, type, fn, &a, UInt32(a.count), "rand")!
        }
    }
}
