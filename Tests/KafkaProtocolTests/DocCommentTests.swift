import Foundation
import XCTest
import KielTestSupport

/// Every library module keeps a doc comment on every public declaration: `scripts/check-docs.sh`
/// runs with the tests, so a new symbol without one fails here rather than in review.
final class DocCommentTests: XCTestCase {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    func testEveryPublicDeclarationOfTheLibraryModulesHasADocComment() throws {
        // No module names: every library module under Sources/ (executables are left out).
        let (code, output) = try checkDocs([])
        XCTAssertEqual(code, 0, "public declarations without a doc comment:\n" + output)
    }

    /// The checker's rules, on a module made up for the purpose: what counts as public, and
    /// what counts as a doc comment above it.
    func testTheCheckerFindsExactlyTheUndocumentedPublicDeclarations() throws {
        let package = try ChildProcess.scratchDirectory("check-docs-fixture")
        defer { try? FileManager.default.removeItem(atPath: package) }
        try FileManager.default.createDirectory(atPath: package + "/Sources/Fixture", withIntermediateDirectories: true)
        let source = """
            /// Documented.
            public struct Documented {
                public var missing1 = "{ not a brace }"
                /// Documented.
                @inlinable
                public func attributed() {}
                // A plain comment is not a doc comment.
                public init() {}
                func internalOne() {}
                private var hidden = 0
                public enum Nested { case a, b }
            }

            struct Internal {
                public var notVisible = 0
            }

            public protocol Requirements {
                var missing4: Int { get }
                /// Documented.
                func documented()
            }

            public extension Documented {
                func missing5() {}
                internal func notPublic() {}
            }

            extension Documented {
                public func missing6() {
                    let local = 1
                    switch local { case 1: break; default: break }
                }
            }

            /// Documented.
            public enum Cases {
                case undocumented
                /// Documented.
                case documented
            }
            """
        try source.write(toFile: package + "/Sources/Fixture/Fixture.swift", atomically: true, encoding: .utf8)
        let (code, output) = try checkDocs(["--root", package, "Fixture"])
        XCTAssertEqual(code, 1, output)
        let lines = output.split(separator: "\n").filter { $0.hasPrefix("Sources/") }.map { String($0) }
        XCTAssertEqual(lines, [
            "Sources/Fixture/Fixture.swift:3: public var missing1 = \"{ not a brace }\"",
            "Sources/Fixture/Fixture.swift:8: public init() {}",
            "Sources/Fixture/Fixture.swift:11: public enum Nested { case a, b }",
            "Sources/Fixture/Fixture.swift:18: public protocol Requirements {",
            "Sources/Fixture/Fixture.swift:19: var missing4: Int { get }",
            "Sources/Fixture/Fixture.swift:25: func missing5() {}",
            "Sources/Fixture/Fixture.swift:30: public func missing6() {",
        ], output)
        let (_, casesOutput) = try checkDocs(["--cases", "--root", package, "Fixture"])
        XCTAssertTrue(casesOutput.contains("Sources/Fixture/Fixture.swift:38: case undocumented\n"), casesOutput)
        XCTAssertFalse(casesOutput.contains("case documented"), casesOutput)
    }

    /// Runs the checker; its exit code and what it printed.
    private func checkDocs(_ arguments: [String]) throws -> (Int32, String) {
        let logs = try ChildProcess.scratchDirectory("check-docs")
        defer { try? FileManager.default.removeItem(atPath: logs) }
        let check = try ChildProcess("/bin/bash", [root + "/scripts/check-docs.sh"] + arguments, logs: logs)
        let outcome = check.waitForExit(timeout: 120)
        XCTAssertTrue(outcome.exited && !outcome.timedOut, "scripts/check-docs.sh did not finish by itself")
        return (outcome.code, check.stdout() + check.stderr())
    }
}
