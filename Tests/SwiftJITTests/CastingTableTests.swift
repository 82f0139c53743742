import SwiftJIT
import XCTest

/// `Casting.safe` and `.sameKind` against NumPy's `can_cast` for every dtype pair (recorded from
/// NumPy 2.4 in Cases/numpy-casting.txt: from, to, safe, same_kind).
final class CastingTableTests: XCTestCase {
    func testEveryPairMatchesNumPy() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Cases", withExtension: nil))
            .appendingPathComponent("numpy-casting.txt")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 169)
        for line in lines {
            let p = line.split(separator: " ").map(String.init)
            let from = try XCTUnwrap(DType(name: p[0])), to = try XCTUnwrap(DType(name: p[1]))
            XCTAssertEqual(Casting.safe.allows(from, to), p[2] == "1", "safe \(from) -> \(to)")
            XCTAssertEqual(Casting.sameKind.allows(from, to), p[3] == "1", "same_kind \(from) -> \(to)")
        }
    }
}
