// swift-numerics' `Complex` as array elements and scalars: `Complex<Double>` is complex128,
// `Complex<Float>` complex64; both are stored as NumPy stores them, real part first.
import ComplexModule
import RealModule
import JITRuntime
import JITSema

/// Real types whose complex numbers are array elements.
public protocol ComplexElementPart: BinaryFloatingPoint {
    /// The complex dtype with parts of this type.
    static var complexDType: DType { get }
}
extension Double: ComplexElementPart { public static var complexDType: DType { .complex128 } }
extension Float: ComplexElementPart { public static var complexDType: DType { .complex64 } }

extension Complex: NDArrayElement where RealType: ComplexElementPart {
    public static var dtype: DType { RealType.complexDType }
}

extension Complex: JITArgument where RealType: ComplexElementPart {}
extension Complex: JITScalar where RealType: ComplexElementPart {}

extension NDArray {
    /// The elements as complex numbers, in row-major order (real types get a zero imaginary part).
    public var complexes: [Complex<Double>] {
        (0..<count).map {
            switch element($0) {
            case .complex(let re, let im): return Complex(re, im)
            case let v: return Complex(Double(scalar: v), 0)
            }
        }
    }
}
extension Complex: KernelArgument where RealType: ComplexElementPart {}
