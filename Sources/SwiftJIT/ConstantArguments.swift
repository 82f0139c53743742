// ConstantArguments: the values of a specialization's lifted constants (JITSema's
// `liftConstants`), in memory for the compiled code to read. In: dtypes and values. Out: one
// pointer per constant (an 8-byte slot holding a Double or a Float), valid while this object lives,
// passed to the kernel as scalar arguments after the expression's own.
import JITSema

final class ConstantArguments: @unchecked Sendable {
    /// One slot per constant.
    let pointers: [UnsafeMutableRawPointer]
    /// Element size of each (8 for float64, 4 for float32).
    let itemSizes: [Int]
    private let storage: UnsafeMutableRawPointer?

    init(_ values: [(dtype: DType, value: Double)]) {
        let storage = values.isEmpty ? nil : UnsafeMutableRawPointer.allocate(byteCount: 8 * values.count, alignment: 16)
        var pointers: [UnsafeMutableRawPointer] = []
        for (i, c) in values.enumerated() {
            let slot = storage! + 8 * i
            switch c.dtype {
            case .float32: slot.storeBytes(of: Float(c.value), as: Float.self)
            case .float64: slot.storeBytes(of: c.value, as: Double.self)
            default: preconditionFailure("liftConstants lifts float constants only, not \(c.dtype)")
            }
            pointers.append(slot)
        }
        self.storage = storage
        self.pointers = pointers
        itemSizes = values.map(\.dtype.size)
    }

    deinit { storage?.deallocate() }

    var count: Int { pointers.count }

    /// Zero strides for each constant over a shape of `rank` dimensions (read once per row).
    func zeroStrides(rank: Int) -> [[Int]] { Array(repeating: Array(repeating: 0, count: rank), count: count) }
}
