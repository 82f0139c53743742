// NumPy broadcasting and the iteration plan of an elementwise call. Shapes are aligned at their
// last dimension; a dimension of 1 (or a missing one) stretches with stride 0. The plan then
// drops size-1 dimensions and merges neighbours that are laid out as one (so any contiguous
// operands, whatever their rank, become one long row), leaving the innermost dimension for the
// compiled loop and the rest for `Launch` to walk.

/// Errors of shape arithmetic.
public enum Broadcast {
    /// The broadcast shape of several shapes, or a message naming two that do not broadcast.
    public static func shape(_ shapes: [(name: String, shape: [Int])]) -> Result<[Int], JITError> {
        var result: [Int] = []
        var owners: [String] = []
        for (name, shape) in shapes {
            if shape.count > result.count {
                result = Array(repeating: 1, count: shape.count - result.count) + result
                owners = Array(repeating: name, count: shape.count - owners.count) + owners
            }
            let offset = result.count - shape.count
            for (i, extent) in shape.enumerated() {
                let d = offset + i
                if result[d] == extent || extent == 1 { continue }
                if result[d] == 1 {
                    result[d] = extent
                    owners[d] = name
                    continue
                }
                let other = shapes.first { $0.name == owners[d] }?.shape ?? []
                return .failure(.argument(
                    "operands could not be broadcast together: '\(owners[d])' has shape \(format(other)) and '\(name)' has shape \(format(shape))"))
            }
        }
        return .success(result)
    }

    /// Element strides of an operand of `shape`/`strides` seen in the broadcast `target` shape.
    public static func strides(_ shape: [Int], _ strides: [Int], in target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        return (0..<target.count).map { d in
            d < offset || shape[d - offset] == 1 ? 0 : strides[d - offset]
        }
    }

    /// The number of elements of `shape`, or nil when it exceeds 2^40 (or overflows).
    public static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for extent in shape {
            let (p, overflow) = n.multipliedReportingOverflow(by: extent)
            if overflow || p > 1 << 40 { return nil }
            n = p
        }
        return n
    }

    /// NumPy's way of writing a shape: `(3,)`, `(2, 3)`, `()`.
    public static func format(_ s: [Int]) -> String {
        s.count == 1 ? "(\(s[0]),)" : "(" + s.map(String.init).joined(separator: ", ") + ")"
    }
}

/// How to walk an elementwise call: outer dimensions (outermost first) and one inner row.
public struct IterationPlan: Equatable {
    /// Extents of the outer dimensions.
    public var outerShape: [Int]
    /// Per operand, element strides along the outer dimensions.
    public var outerStrides: [[Int]]
    /// Length of the innermost row.
    public var innerCount: Int
    /// Per operand, element stride along the row.
    public var innerStrides: [Int]

    /// Plans the iteration of `shape` for operands with the given (broadcast) strides.
    public init(shape: [Int], strides: [[Int]]) {
        var dims: [(extent: Int, strides: [Int])] = []
        for d in 0..<shape.count where shape[d] != 1 {
            dims.append((shape[d], strides.map { $0[d] }))
        }
        // Merge d into the following dimension when every operand steps through both as one.
        var merged: [(extent: Int, strides: [Int])] = []
        for dim in dims.reversed() {
            if var inner = merged.last,
               zip(dim.strides, inner.strides).allSatisfy({ $0 == $1 * inner.extent }) {
                inner.extent *= dim.extent
                merged[merged.count - 1] = inner
            } else {
                merged.append(dim)
            }
        }
        merged.reverse()
        let operands = strides.count
        if let inner = merged.last {
            innerCount = inner.extent
            innerStrides = inner.strides
            let outer = merged.dropLast()
            outerShape = outer.map(\.extent)
            outerStrides = (0..<operands).map { k in outer.map { $0.strides[k] } }
        } else {
            innerCount = shape.contains(0) ? 0 : 1
            innerStrides = Array(repeating: 0, count: operands)
            outerShape = []
            outerStrides = Array(repeating: [], count: operands)
        }
    }

    /// Number of inner rows.
    public var rows: Int { outerShape.reduce(1, *) }
}
