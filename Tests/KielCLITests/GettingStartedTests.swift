import Foundation
import XCTest
import KielTestSupport

/// The README's "Getting started" program (`Examples/GettingStarted`), built with the package
/// and run against the real services as a new user would run it, so the example can't rot.
final class GettingStartedTests: XCTestCase {
    /// The built `getting-started` sits next to the test bundle, like `kiel`.
    var executable: URL {
        var dir = Bundle.main.bundleURL
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        for candidate in [dir, Bundle(for: Self.self).bundleURL.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("getting-started")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return dir.appendingPathComponent("getting-started")
    }

    func testTheProgramGetsBackEverythingItProduced() throws {
        let broker = try TestServices.broker(), zk = try TestServices.zookeeper()
        let process = Process()
        process.executableURL = executable
        process.arguments = ["\(broker.host):\(broker.port)", "\(zk.host):\(zk.port)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        XCTAssertEqual(process.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("getting-started: produced 10/10, read back 10, group member got 10"), text)
        XCTAssertEqual(text.split(separator: "\n").filter { $0.hasPrefix("stored ") }.count, 10, text)
        XCTAssertTrue(text.contains("member gained"), text)
    }

    /// The README shows the program itself, not a copy that drifted.
    func testTheReadmeShowsTheProgram() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let program = try String(contentsOf: root.appendingPathComponent("Examples/GettingStarted/main.swift"),
                                 encoding: .utf8)
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        XCTAssertTrue(readme.contains("```swift\n" + program + "```\n"),
                      "README.md's Getting started must show Examples/GettingStarted/main.swift as it is")
    }
}
