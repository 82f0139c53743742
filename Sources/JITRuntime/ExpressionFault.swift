// Run-time errors of compiled expressions. Their code sets a per-thread code in CJITSupport
// (`sj_raise_expression_error`, see JITLowering's ExpressionErrors.swift); the launchers take it
// on each thread right after their calls there and gather it per launch (`FaultCollector`).
// In: nothing. Out: the error code of a launch, 0 when none.
import CJITSupport
import Foundation

/// A run-time error of a compiled expression: the code its loop raised.
public struct ExpressionFault: Error, Equatable {
    /// An integer raised to a negative integer power (NumPy: "Integers to negative integer
    /// powers are not allowed").
    public static let negativePower: Int32 = 16
    /// The code (`sj_raise_expression_error`'s argument).
    public let code: Int32

    public init(code: Int32) { self.code = code }

    /// The message of a code.
    public var message: String {
        code == ExpressionFault.negativePower ? "integers to negative integer powers are not allowed"
            : "run-time error \(code) in a compiled expression"
    }
}

/// Gathers the codes raised on the threads of one launch.
final class FaultCollector: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var code: Int32 = 0

    /// Takes the code raised on the calling thread by the calls it just made.
    func collect() {
        let c = sj_take_expression_error()
        guard c != 0 else { return }
        lock.lock()
        code = c
        lock.unlock()
    }
}
