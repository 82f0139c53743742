// Scripted REPL sessions (standard input from a file) for issue 25's items: REPL functions as
// values inside expressions, NumPy's everyday names, one location style for every diagnostic.
// Each test is a transcript: the script, and exactly what it prints on stdout and stderr.
import Foundation
import JITRuntime
import XCTest

final class REPLTranscriptTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("transcripts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Runs `script` as a scripted session in `directory` and checks both streams exactly.
    func transcript(_ script: String, in directory: URL? = nil, stdout: String, stderr: String,
                    file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = try directory ?? temporaryDirectory()
        let input = dir.appendingPathComponent("session.txt")
        try script.write(to: input, atomically: true, encoding: .utf8)
        let env = ["HOME": dir.path, "SWIFTJIT_HISTORY": dir.appendingPathComponent("history").path,
                   "XDG_STATE_HOME": "", "TERM": "xterm", "SWIFTJIT_NUM_THREADS": "2"]
        let r = try SwiftJITProcess.run([], in: dir, stdin: input, environment: env)
        XCTAssertEqual(r.stdout, stdout, file: file, line: line)
        XCTAssertEqual(r.stderr, stderr, file: file, line: line)
        XCTAssertEqual(r.status, stderr.isEmpty ? 0 : 1, file: file, line: line)
    }

    /// rand, normal, linspace, arange, zeros, ones, load and kernel calls are values anywhere in
    /// an expression, with NumPy's call forms (tuple shapes, `shape=`/`size=`, `dtype=` as a
    /// name or a string); errors in them point at the typed text and name the call.
    func testFunctionsAreValuesInExpressions() throws {
        let dir = try temporaryDirectory()
        try NPY.write(NDArray([0.0, 1, 2, 3]), to: dir.appendingPathComponent("a.npy").path)
        try transcript("""
            x = rand(1000) * 2 - 1
            :type x
            sum((x >= -1) & (x < 1))
            load("a.npy") * 2
            load('a.npy') + zeros((2, 4))
            zeros((2, 3), dtype="f32")
            ones(shape=(2,), dtype='int32') + 1
            rand((2, 3)) < 1
            sum(normal(size=[1000], loc=10, scale=0.001) > 9)
            linspace(0, 1, 3, dtype="float32") * 2
            arange(1, 7, 2, dtype=np.int8)
            kernel total(a) {
                var s = 0.0
                for i in 0..<len(a) { s += a[i] }
                return s
            }
            total(arange(5)) / 2 + arange(3)
            zeros((2, 3)) + rand(4)
            zeros((2, 3), dtype="f33")
            load("missing.npy") + 1
            """, in: dir, stdout: """
            (x: f64[]) -> float64 (1000,)
            1000
            array([0., 2., 4., 6.])
            float64 (4,)
            array([[0., 1., 2., 3.],
                   [0., 1., 2., 3.]])
            float64 (2, 4)
            array([[0., 0., 0.],
                   [0., 0., 0.]], dtype=float32)
            float32 (2, 3)
            array([2, 2], dtype=int32)
            int32 (2,)
            array([[ True,  True,  True],
                   [ True,  True,  True]])
            bool (2, 3)
            1000
            array([0., 1., 2.], dtype=float32)
            float32 (3,)
            array([1, 3, 5], dtype=int8)
            int8 (3,)
            array([5., 6., 7.])
            float64 (3,)

            """, stderr: """
            <stdin>:18:1: error: operands could not be broadcast together: 'zeros((2, 3))' has shape (2, 3) and 'rand(4)' has shape (4,)
            18 | zeros((2, 3)) + rand(4)
               | ^~~~~~~~~~~~~~~~~~~~~~~
            <stdin>:19:21: error: unknown dtype 'f33'
            19 | zeros((2, 3), dtype="f33")
               |                     ^~~~~
              = note: dtypes: bool i8 i16 i32 i64 u8 u16 u32 u64 f32 f64 c64 c128
            <stdin>:20:6: error: cannot read 'missing.npy': no such file
            20 | load("missing.npy") + 1
               |      ^~~~~~~~~~~~~

            """)
    }

    /// zeros, ones and full inside an expression are their one value broadcast to their shape
    /// (stride 0): nothing is allocated or filled, so a sum over 10^8 ones needs no 800 MB array.
    /// As values of their own (assigned, passed to a kernel) they are ordinary new arrays, which
    /// a kernel may write without touching any other element.
    func testConstantFunctionsAreFused() throws {
        try transcript("""
            x = arange(3) * 1.0
            zeros((2, 3)) + x
            ones(3, dtype=i32) + arange(3)
            full((2, 2), 7)
            full(shape=(3,), fill_value=2.5, dtype=f32) * 2
            full(2, True) & (arange(2) > 0)
            sum(ones((10000, 10000)))
            mean(full((10000, 10000), 2.5) * arange(10000))
            y = (zeros(3))
            kernel first(a: f64[]) -> f64 {
                a[0] = 5.0
                return a[1]
            }
            first(y)
            y
            full((2,), x)
            full(3)
            """, stdout: """
            array([[0., 1., 2.],
                   [0., 1., 2.]])
            float64 (2, 3)
            array([1, 2, 3])
            int64 (3,)
            array([[7, 7],
                   [7, 7]])
            int64 (2, 2)
            array([5., 5., 5.], dtype=float32)
            float32 (3,)
            array([False,  True])
            bool (2,)
            100000000.0
            12498.75
            0.0
            array([5., 0., 0.])
            float64 (3,)

            """, stderr: """
            <stdin>:16:12: error: fill_value must be a number, not an array
            16 | full((2,), x)
               |            ^
            <stdin>:17:1: error: full needs a shape and a fill_value
            17 | full(3)
               | ^~~~~~~

            """)
    }

    /// mean, var, std (axis, ddof; also in kernels), clip, mod, deg2rad, constants (a variable of
    /// the same name wins), `:help NAME`, and the errors of each.
    func testNumPyNames() throws {
        let dir = try temporaryDirectory()
        try NPY.write(NDArray([1.0, 2, 3, 4, 2, 4, 6, 9], shape: [2, 4]), to: dir.appendingPathComponent("m.npy").path)
        try transcript("""
            m = load("m.npy")
            mean(m)
            mean(m, axis=0)
            var(m, axis=1)
            std(m, 1, ddof=1)
            m - mean(m, axis=0)
            x = arange(6)
            clip(x, 1, 4)
            mod(arange(-3, 3), 4)
            mod(-7.5, -2)
            deg2rad(180) == pi
            e
            e = 2
            e * 3
            std(f32(x))
            :help mean
            :help radians
            var(x, ddof=1.5)
            mean(x, axis=1)
            kernel k(a: f64[]) -> f64 {
                return mean(a) + std(a, ddof=1)
            }
            k(arange(4) * 1.0)
            :help meen
            """, in: dir, stdout: """
            3.875
            array([1.5, 3. , 4.5, 6.5])
            float64 (4,)
            array([1.25  , 6.6875])
            float64 (2,)
            array([1.29099445, 2.98607881])
            float64 (2,)
            array([[-0.5, -1. , -1.5, -2.5],
                   [ 0.5,  1. ,  1.5,  2.5]])
            float64 (2, 4)
            array([1, 1, 2, 3, 4, 4])
            int64 (6,)
            array([1, 2, 3, 0, 1, 2])
            int64 (6,)
            -1.5
            true
            2.718281828459045
            6
            1.7078252
            float32
            mean(x, axis=None): arithmetic mean (float64 for integers and bools, else x's type)
            accepts: bools, integers, floats, complex
            deg2rad(x): x * (pi/180): degrees to radians (also radians)
            (radians is another name for deg2rad)
            also called: radians
            2.7909944487358054

            """, stderr: """
            <stdin>:18:13: error: ddof must be a non-negative integer literal
            18 | var(x, ddof=1.5)
               |             ^~~
            <stdin>:19:1: error: axis 1 is out of bounds for an array of dimension 1
            19 | mean(x, axis=1)
               | ^~~~~~~~~~~~~~~
            <stdin>:24:7: error: no help for 'meen'
            24 | :help meen
               |       ^~~~
              = note: did you mean 'mean'?

            """)
    }

    /// Every stage's diagnostics name the typed source (`<stdin>:LINE:COL`, the script's line)
    /// or the file given to :load, with the line and a caret: parse, type, broadcast, axis,
    /// kernel checking, kernel run time (in the file the kernel came from), and file errors.
    func testOneLocationStyle() throws {
        let dir = try temporaryDirectory()
        try "kernel bad(a: f64[]) -> f64 {\n    return a[0] +\n}\n".write(to: dir.appendingPathComponent("bad.sj"), atomically: true, encoding: .utf8)
        try "# a kernel that reads past the end\nkernel last(a: f64[]) -> f64 {\n    return a[len(a)]\n}\n"
            .write(to: dir.appendingPathComponent("last.sj"), atomically: true, encoding: .utf8)
        try transcript("""
            x = arange(4)
            y = x + "a"
            :type x + q
            :time x +
            :ir x * nope
            i = arange(3, dtype=i32)
            i << 2.5
            x + arange(5)
            sum(x, axis=2)
            kernel g(a) {
                return a[0] + b
            }
            g(x)
            :load nofile.sj
            :load bad.sj
            x[1] = 3
            z = f(x)
            :load last.sj
            last(linspace(0, 1, 3))
            y = zeros((2, 3))
            sum(y * x, axis=0) + 1
            """, in: dir, stdout: "loaded last.sj: last\n", stderr: """
            <stdin>:2:9: error: invalid character '"' in expression
            2 | y = x + "a"
              |         ^
            <stdin>:3:11: error: name 'q' is not defined
            3 | :type x + q
              |           ^
            <stdin>:4:10: error: expected an expression, found end of input
            4 | :time x +
              |          ^
            <stdin>:5:9: error: name 'nope' is not defined
            5 | :ir x * nope
              |         ^~~~
            <stdin>:7:1: error: '<<' needs integer operands, not int32 and float64
            7 | i << 2.5
              | ^~~~~~~~
            <stdin>:8:1: error: operands could not be broadcast together: 'arange(5)' has shape (5,) and 'x' has shape (4,)
            8 | x + arange(5)
              | ^~~~~~~~~~~~~
            <stdin>:9:1: error: axis 2 is out of bounds for an array of dimension 1
            9 | sum(x, axis=2)
              | ^~~~~~~~~~~~~~
            <stdin>:11:19: error: unknown variable 'b'
            11 |     return a[0] + b
               |                   ^
            <stdin>:14:7: error: cannot read kernel source 'nofile.sj': no such file
            14 | :load nofile.sj
               |       ^~~~~~~~~
            bad.sj:3:1: error: expected an expression, found '}'
            3 | }
              | ^
            <stdin>:16:6: error: unexpected '=' after the end of the expression
            16 | x[1] = 3
               |      ^
            <stdin>:17:5: error: unknown function 'f'
            17 | z = f(x)
               |     ^
            last.sj:3:14: error: index 3 is out of range for axis 0 with size 3 in kernel 'last'
            3 |     return a[len(a)]
              |              ^~~~~~
            <stdin>:21:5: error: operands could not be broadcast together: 'x' has shape (4,) and 'y' has shape (2, 3)
            21 | sum(y * x, axis=0) + 1
               |     ^~~~~

            """)
    }

    /// Complex arrays print as NumPy prints them (a float format for the real parts and one
    /// with a sign for the imaginary parts); complex scalars as Python's complex repr.
    func testComplexPrinting() throws {
        try transcript("""
            c = arange(4) * 1j + 1
            c
            c * 1.5 - 0.25j
            complex(linspace(0, 1, 4), linspace(-1, 1, 4) * 100)
            c64(c) / 0
            c[2]
            """, stdout: """
            array([1.+0.j, 1.+1.j, 1.+2.j, 1.+3.j])
            complex128 (4,)
            array([1.5-0.25j, 1.5+1.25j, 1.5+2.75j, 1.5+4.25j])
            complex128 (4,)
            array([0.        -100.j        , 0.33333333 -33.33333333j,
                   0.66666667 +33.33333333j, 1.        +100.j        ])
            complex128 (4,)
            array([inf+nanj, inf+infj, inf+infj, inf+infj], dtype=complex64)
            complex64 (4,)
            (1+2j)

            """, stderr: "")
    }
}
