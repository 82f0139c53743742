import JITSema
import JITSyntax
import XCTest

/// Name, arity and type errors: each points at its place; all are listed; misspellings get notes.
final class SemaDiagnosticTests: XCTestCase {
    private func errors(_ src: String, _ args: [(String, ArgumentType)]) -> String {
        let source = SourceText(src)
        do {
            _ = try TypeSpecializer.specialize(try Parser.parseExpression(source), source: source,
                                               signature: Signature(args))
            return "no error"
        } catch let e as DiagnosticError {
            return e.description
        } catch {
            return "unexpected \(error)"
        }
    }

    private let x = ("x", ArgumentType.array(.float64))

    func testUnknownFunctionSuggestsTheClosest() {
        XCTAssertEqual(errors("sni(x) + 1", [x]), """
        <expr>:1:1: error: unknown function 'sni'
        1 | sni(x) + 1
          | ^~~
          = note: did you mean 'sin'?

        """)
    }

    func testUnknownVariableSuggestsTheClosest() {
        XCTAssertEqual(errors("x + xx1", [x, ("xx", .array(.float64))]), """
        <expr>:1:5: error: unknown variable 'xx1'
        1 | x + xx1
          |     ^~~
          = note: did you mean 'xx'?
          = note: variables: x, xx

        """)
    }

    func testAllErrorsAreListedInSourceOrder() {
        XCTAssertEqual(errors("sqrtt(x) + sin(x, x) + y", [x]), """
        <expr>:1:1: error: unknown function 'sqrtt'
        1 | sqrtt(x) + sin(x, x) + y
          | ^~~~~
          = note: did you mean 'sqrt'?

        <expr>:1:12: error: 'sin' takes 1 argument, but 2 were given
        1 | sqrtt(x) + sin(x, x) + y
          |            ^~~~~~~~~

        <expr>:1:24: error: unknown variable 'y'
        1 | sqrtt(x) + sin(x, x) + y
          |                        ^
          = note: variables: x

        """)
    }

    func testTypeErrors() {
        XCTAssertEqual(errors("x << 2", [x]), """
        <expr>:1:1: error: '<<' needs integer operands, not float64 and int64
        1 | x << 2
          | ^~~~~~

        """)
        let b = ("b", ArgumentType.array(.bool))
        XCTAssertTrue(errors("-b", [b]).contains("unary '-' is not supported for bool; use '~'"))
        XCTAssertTrue(errors("b - b", [b]).contains("use '^'"))
        XCTAssertTrue(errors("~x", [x]).contains("'~' needs bool or integer operands"))
        XCTAssertTrue(errors("sin", [x]).contains("'sin' is a function"))
        XCTAssertTrue(errors("x(1)", [x]).contains("'x' is a variable, not a function"))
    }

    func testLiteralOutOfRangeForInt32() {
        let i = ("i", ArgumentType.array(.int32))
        XCTAssertEqual(errors("i + 3000000000", [i]), """
        <expr>:1:5: error: integer literal 3000000000 is out of bounds for int32
        1 | i + 3000000000
          |     ^~~~~~~~~~

        """)
        XCTAssertEqual(errors("i + -2147483648", [i]), "no error")
    }

    func testNegativeIntegerPower() {
        let i = ("i", ArgumentType.array(.int64))
        XCTAssertTrue(errors("i ** -2", [i]).contains("integers to negative integer powers are not allowed"))
        XCTAssertEqual(errors("i ** -2.0", [i]), "no error")
    }
}
