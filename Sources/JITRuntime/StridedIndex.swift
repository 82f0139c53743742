// NumPy basic indexing as arithmetic on (shape, strides): a list of items (integers, negative
// from the end; `start:stop:step` slices with any nonzero step; one `...`) in, the element
// offset, shape and strides of the view out. Used for NDArray views (`x[1:, ::-1]`) and for
// subscripted arguments of compiled expressions. Out-of-range integers and zero steps are
// errors naming the item; slice bounds are clipped as NumPy clips them.

/// One item of a NumPy subscript.
public enum IndexItem: Hashable, Sendable, CustomStringConvertible {
    /// One position along an axis (negative counts from the end); removes the axis.
    case index(Int)
    /// `start:stop:step`; nil parts take NumPy's defaults for the step's direction.
    case slice(Int?, Int?, Int?)
    /// `...`: full slices for the axes no other item names.
    case ellipsis

    public var description: String {
        switch self {
        case .index(let i): return String(i)
        case .slice(let a, let b, let c):
            return (a.map(String.init) ?? "") + ":" + (b.map(String.init) ?? "") + (c.map { ":\($0)" } ?? "")
        case .ellipsis: return "..."
        }
    }
}

/// A subscript that does not fit the array: `item` is the position of the offending item.
public struct IndexingError: Error, CustomStringConvertible, Sendable {
    public var item: Int
    public var message: String
    public var description: String { "error: \(message)" }

    public init(item: Int, message: String) {
        self.item = item
        self.message = message
    }
}

/// The view a subscript selects.
public struct StridedIndex: Equatable, Sendable {
    /// Element offset of the view's first element from the array's.
    public var offset: Int
    public var shape: [Int]
    public var strides: [Int]

    /// Applies `items` to an array of `shape` and element `strides`.
    public init(_ items: [IndexItem], shape: [Int], strides: [Int]) throws {
        let ellipses = items.indices.filter { items[$0] == .ellipsis }
        if ellipses.count > 1 {
            throw IndexingError(item: ellipses[1], message: "an index can only have a single ellipsis ('...')")
        }
        let named = items.count - ellipses.count
        if named > shape.count {
            let excess = items.indices.filter { items[$0] != .ellipsis }[shape.count]
            throw IndexingError(item: excess,
                                message: "too many indices: the array is \(shape.count)-dimensional, but \(named) were indexed")
        }
        // Each item with the axis it applies to; the ellipsis (or the end) stands for the rest.
        var expanded: [(item: IndexItem, source: Int)] = []
        for (k, item) in items.enumerated() {
            if item == .ellipsis {
                expanded += Array(repeating: (IndexItem.slice(nil, nil, nil), k), count: shape.count - named)
            } else {
                expanded.append((item, k))
            }
        }
        while expanded.count < shape.count { expanded.append((.slice(nil, nil, nil), items.count)) }
        offset = 0
        var newShape: [Int] = [], newStrides: [Int] = []
        for (axis, (item, source)) in expanded.enumerated() {
            let n = shape[axis], stride = strides[axis]
            switch item {
            case .index(let i):
                let j = i < 0 ? i + n : i
                guard j >= 0 && j < n else {
                    throw IndexingError(item: source, message: "index \(i) is out of bounds for axis \(axis) with size \(n)")
                }
                offset += j * stride
            case .slice(let start, let stop, let step):
                let step = step ?? 1
                guard step != 0 else { throw IndexingError(item: source, message: "slice step cannot be zero") }
                let (first, count) = Self.sliceBounds(start, stop, step, n)
                if count > 0 { offset += first * stride }
                newShape.append(count)
                newStrides.append(stride * step)
            case .ellipsis:
                break
            }
        }
        self.shape = newShape
        self.strides = newStrides
    }

    /// Python's `slice.indices`: the first position and the number of elements of
    /// `start:stop:step` on an axis of `n` elements.
    static func sliceBounds(_ start: Int?, _ stop: Int?, _ step: Int, _ n: Int) -> (first: Int, count: Int) {
        func clip(_ v: Int?, _ forward: Int, _ backward: Int) -> Int {
            guard var v else { return step > 0 ? forward : backward }
            if v < 0 { v += n }
            return step > 0 ? min(max(v, 0), n) : min(max(v, -1), n - 1)
        }
        let lo = clip(start, 0, n - 1), hi = clip(stop, n, -1)
        let count = step > 0 ? (hi > lo ? (hi - lo + step - 1) / step : 0)
                             : (lo > hi ? (lo - hi - step - 1) / -step : 0)
        return (lo, count)
    }
}

extension NDArray {
    /// The view NumPy's `a[items]` gives (a 0-d view when every axis is indexed by an integer).
    public func subscripted(_ items: [IndexItem]) throws -> NDArray {
        let v = try StridedIndex(items, shape: shape, strides: strides)
        return NDArray(dtype: dtype, shape: v.shape, strides: v.strides, storage: storage, offset: offset + v.offset)
    }
}
