import JITSyntax
import XCTest

/// Structure of parsed expressions, shown fully parenthesised.
final class ParserTests: XCTestCase {
    private func parse(_ s: String) throws -> String { try Parser.parseExpression(SourceText(s)).description }

    func testPrecedenceFollowsPython() throws {
        let cases: [(String, String)] = [
            ("1 + 2 * 3", "(1 + (2 * 3))"),
            ("-x**2", "(-(x ** 2))"),
            ("2**-1", "(2 ** (-1))"),
            ("2**3**2", "(2 ** (3 ** 2))"),
            ("a - b - c", "((a - b) - c)"),
            ("a / b // c % d", "(((a / b) // c) % d)"),
            ("a << 1 + 2", "(a << (1 + 2))"),
            ("a & b | c ^ d", "((a & b) | (c ^ d))"),
            ("a | b & c", "(a | (b & c))"),
            ("a ^ b & c", "(a ^ (b & c))"),
            ("x < y + 1", "(x < (y + 1))"),
            ("~a & b", "((~a) & b)"),
            ("-a * b", "((-a) * b)"),
            ("--x", "(-(-x))"),
            ("+x", "(+x)"),
            ("x*(1+x*(1+x))", "(x * (1 + (x * (1 + x))))"),
            ("where(x > 0, sqrt(x), -x)", "where((x > 0), sqrt(x), (-x))"),
            ("arctan2(y, x)", "arctan2(y, x)"),
            ("f()", "f()"),
            ("(x)", "x"),
            ("True & False", "(True & False)"),
        ]
        for (src, want) in cases { XCTAssertEqual(try parse(src), want, src) }
    }

    func testSubscriptsOfNamesInExpressions() throws {
        let cases: [(String, String)] = [
            ("x[1]", "x[1]"),
            ("x[-1]", "x[(-1)]"),
            ("x[1:] - x[:-1]", "(x[1:] - x[:(-1)])"),
            ("x[::-1]", "x[::(-1)]"),
            ("x[1:8:2]", "x[1:8:2]"),
            ("m[0, :]", "m[0, :]"),
            ("t[..., 0]", "t[..., 0]"),
            ("x[1:]**2", "(x[1:] ** 2)"),
            ("-x[0]", "(-x[0])"),
            ("sum(x[::2])", "sum(x[::2])"),
        ]
        for (source, expected) in cases { XCTAssertEqual(try parse(source), expected, source) }
        for bad in ["x[]", "x[1", "x[1:2:3:4]", "(x + 1)[1]"] {
            XCTAssertThrowsError(try parse(bad), bad)
        }
    }

    func testNumericLiterals() throws {
        XCTAssertEqual(try parse("1"), "1")
        XCTAssertEqual(try parse("2.5"), "2.5")
        XCTAssertEqual(try parse("1e-9"), "1e-09")
        XCTAssertEqual(try parse(".5"), "0.5")
        XCTAssertEqual(try parse("5."), "5.0")
        XCTAssertEqual(try parse("4.0e-9*x"), "(4e-09 * x)")
        XCTAssertEqual(try parse("1_000_000"), "1000000")
        XCTAssertEqual(try parse("0x1F + 0b101 + 0o17"), "((31 + 5) + 15)")
        XCTAssertEqual(try parse("2.5j"), "2.5j")
        XCTAssertEqual(try parse("9223372036854775807"), "9223372036854775807")
    }

    func testSourceRangesCoverTheNode() throws {
        let src = SourceText("  sin(x) + 10")
        let e = try Parser.parseExpression(src)
        XCTAssertEqual(src.slice(e.range), "sin(x) + 10")
        guard case .binary(_, let l, let r) = e.kind else { return XCTFail("not binary") }
        XCTAssertEqual(src.slice(l.range), "sin(x)")
        XCTAssertEqual(src.slice(r.range), "10")
    }

    func testDeepNestingWithinTheLimitParses() throws {
        let depth = 150
        let src = String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth)
        XCTAssertEqual(try parse(src), "x")
    }
}
