// Runs a compiled elementwise kernel over an n-dimensional iteration: the plan's outer
// dimensions are walked here with an odometer, each inner row is one call of the kernel.
import JITSema

/// A raw operand of a launch: where element 0 is, its dtype and its strides (broadcast).
public struct LaunchOperand {
    public var pointer: UnsafeMutableRawPointer
    public var itemSize: Int
    public var strides: [Int]

    public init(pointer: UnsafeMutableRawPointer, itemSize: Int, strides: [Int]) {
        self.pointer = pointer
        self.itemSize = itemSize
        self.strides = strides
    }
}

public enum Launch {
    /// Calls `kernel` for every row of `plan`. `operands` are the kernel's parameters followed by
    /// the output, in the order of the plan's strides.
    public static func run(_ kernel: CompiledKernel, plan: IterationPlan, operands: [LaunchOperand]) {
        let n = Int64(plan.innerCount)
        guard n > 0, plan.rows > 0 else { return }
        let count = operands.count
        var strides = plan.innerStrides.map(Int64.init)
        var pointers = [UnsafeMutableRawPointer?](repeating: nil, count: count - 1)
        let outer = plan.outerShape
        var index = [Int](repeating: 0, count: outer.count)
        strides.withUnsafeMutableBufferPointer { stridesBuf in
            pointers.withUnsafeMutableBufferPointer { ptrs in
                while true {
                    var outPointer: UnsafeMutableRawPointer?
                    for k in 0..<count {
                        var offset = 0
                        for d in 0..<outer.count { offset += index[d] * plan.outerStrides[k][d] }
                        let p = operands[k].pointer + offset * operands[k].itemSize
                        if k == count - 1 { outPointer = p } else { ptrs[k] = p }
                    }
                    kernel.entry(0, n, ptrs.baseAddress, stridesBuf.baseAddress, outPointer)
                    // Advance the odometer over the outer dimensions.
                    var d = outer.count - 1
                    while d >= 0 {
                        index[d] += 1
                        if index[d] < outer[d] { break }
                        index[d] = 0
                        d -= 1
                    }
                    if d < 0 { return }
                }
            }
        }
    }
}
