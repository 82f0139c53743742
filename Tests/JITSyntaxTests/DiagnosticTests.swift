import JITSyntax
import XCTest

/// Syntax errors render exactly, with the caret under the place.
final class DiagnosticTests: XCTestCase {
    private func errors(_ s: String) -> String {
        do {
            _ = try Parser.parseExpression(SourceText(s))
            return "no error"
        } catch let e as DiagnosticError {
            return e.description
        } catch {
            return "unexpected \(error)"
        }
    }

    private func ids(_ s: String) -> [String] {
        do {
            _ = try Parser.parseExpression(SourceText(s))
            return []
        } catch let e as DiagnosticError {
            return e.diagnostics.map(\.id)
        } catch {
            return ["unexpected"]
        }
    }

    func testUnclosedParenthesis() {
        XCTAssertEqual(errors("sin(x) + cos(y"), """
        <expr>:1:15: error: expected ')' to close the call of 'cos' at column 13
        1 | sin(x) + cos(y
          |               ^

        """)
    }

    func testUnclosedGroup() {
        XCTAssertEqual(errors("(x + 1"), """
        <expr>:1:7: error: expected ')' to close '(' at column 1
        1 | (x + 1
          |       ^

        """)
    }

    func testPythonBooleanOperatorsAreRejectedWithTheirReplacements() {
        XCTAssertEqual(errors("(x > 1) and (y < 2)"), """
        <expr>:1:9: error: 'and' is not supported; use '&' (and parenthesise comparisons)
        1 | (x > 1) and (y < 2)
          |         ^~~

        """)
        XCTAssertEqual(ids("a or b"), ["python_boolean_operator"])
        XCTAssertEqual(errors("not x"), """
        <expr>:1:1: error: 'not' is not supported; use '~' (and parenthesise comparisons)
        1 | not x
          | ^~~

        """)
    }

    func testEveryErrorIsListed() {
        XCTAssertEqual(ids("a and b or c"), ["python_boolean_operator", "python_boolean_operator"])
    }

    func testUnexpectedTokenAfterExpression() {
        XCTAssertEqual(errors("x y"), """
        <expr>:1:3: error: unexpected name 'y' after the end of the expression
        1 | x y
          |   ^

        """)
    }

    func testMissingOperand() {
        XCTAssertEqual(errors("x + "), """
        <expr>:1:5: error: expected an expression, found end of input
        1 | x + 
          |     ^

        """)
        XCTAssertEqual(ids("* x"), ["expected_expression"])
    }

    func testChainedComparison() {
        XCTAssertEqual(ids("a < b < c"), ["chained_comparison"])
    }

    func testEmptyAndBlank() {
        XCTAssertEqual(ids(""), ["empty_expression"])
        XCTAssertEqual(ids("   "), ["empty_expression"])
    }

    func testNulByteAndOtherInvalidCharacters() {
        XCTAssertEqual(errors("x +\u{0} 1"), """
        <expr>:1:4: error: invalid NUL byte in expression
        1 | x +? 1
          |    ^

        """)
        XCTAssertEqual(ids("x $ y"), ["invalid_character"])
        XCTAssertEqual(ids("x é y"), ["invalid_character"])
        XCTAssertEqual(ids("2x"), ["invalid_character"])
    }

    func testIntegerLiteralTooLarge() {
        XCTAssertEqual(ids("x + 99999999999999999999"), ["integer_literal_too_large"])
    }

    func testReservedWords() {
        XCTAssertEqual(ids("lambda + 1"), ["reserved_word"])
    }

    func testHostileSizesAreDiagnosticsNotCrashes() {
        let deep = String(repeating: "(", count: 10_000) + "x" + String(repeating: ")", count: 10_000)
        XCTAssertEqual(ids(deep), ["nesting_too_deep"])
        let deepUnary = String(repeating: "-", count: 10_000) + "x"
        XCTAssertEqual(ids(deepUnary), ["nesting_too_deep"])
        let deepPower = Array(repeating: "x", count: 5_000).joined(separator: "**")
        XCTAssertEqual(ids(deepPower), ["nesting_too_deep"])
        let longChain = Array(repeating: "x", count: 2_000).joined(separator: "+")
        XCTAssertEqual(ids(longChain), ["nesting_too_deep"])
        let megabyte = String(repeating: "x+", count: 500_000) + "x"
        XCTAssertEqual(ids(megabyte), ["expression_too_long"])
        let deepCalls = String(repeating: "sin(", count: 3_000) + "x" + String(repeating: ")", count: 3_000)
        XCTAssertEqual(ids(deepCalls), ["nesting_too_deep"])
    }

    func testMultiLineSourceRendersTheRightLine() {
        XCTAssertEqual(errors("x +\n  (y *"), """
        <expr>:2:7: error: expected an expression, found end of input
        2 |   (y *
          |       ^

        """)
    }
}
