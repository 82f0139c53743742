// `:time EXPR`, after IPython's %timeit: the first call (which compiles) is timed on its own;
// then the number of loops per run grows 1, 2, 5, 10, 20, 50, ... until one run takes at least
// 0.2 s, and 7 runs of that many loops are timed (fewer when a single call is so slow that 7 runs
// would take more than about 5 s). Per-call median and min over the runs are reported.
import Foundation
import SwiftJIT

extension Session {
    func timing(_ prepared: Prepared) throws -> String {
        let first = try Self.seconds { _ = try prepared.run() }
        var loops = 1
        var perRun = try Self.seconds(loops: loops) { _ = try prepared.run() }
        while perRun < 0.2 {
            loops = Self.nextLoopCount(after: loops)
            perRun = try Self.seconds(loops: loops) { _ = try prepared.run() }
        }
        let runs = max(1, min(7, Int(5 / max(perRun, 1e-9))))
        var times = [perRun / Double(loops)]
        for _ in 1..<runs {
            times.append(try Self.seconds(loops: loops) { _ = try prepared.run() } / Double(loops))
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        return "median \(Self.duration(median)), min \(Self.duration(times[0])) per call "
            + "(\(times.count) run\(times.count == 1 ? "" : "s") x \(loops) loop\(loops == 1 ? "" : "s"); first call \(Self.duration(first)))"
    }

    /// 1, 2, 5, 10, 20, 50, ...
    static func nextLoopCount(after n: Int) -> Int {
        var decade = 1
        while decade * 10 <= n { decade *= 10 }
        switch n / decade {
        case 1: return 2 * decade
        case 2: return 5 * decade
        default: return 10 * decade
        }
    }

    static func seconds(loops: Int = 1, _ body: () throws -> Void) throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<loops { try body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Three significant digits in ns, µs, ms or s.
    static func duration(_ seconds: Double) -> String {
        let (value, unit): (Double, String) = seconds < 1e-6 ? (seconds * 1e9, "ns")
            : seconds < 1e-3 ? (seconds * 1e6, "µs") : seconds < 1 ? (seconds * 1e3, "ms") : (seconds, "s")
        let digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
        return String(format: "%.\(digits)f \(unit)", value)
    }
}
