import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KielIO
import XCTest
@testable import ZooKeeper

/// The real ZooKeeper services the tests use (started by scripts/test.sh) and a loop to drive
/// a client against them. Tests fail with a message when a service is not configured.
enum ZKServices {
    static func env(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            let message = "\(name) is not set: run scripts/test.sh (or `eval \"$(scripts/services.sh up)\"`)"
            XCTFail(message)
            throw XCTSkip(message)
        }
        return value
    }

    static func single() throws -> String { try env("KIEL_TEST_ZK") }
    static func ensemble() throws -> String { try env("KIEL_TEST_ZK_ENSEMBLE") }
    static func python() throws -> String { try env("KIEL_TEST_PYTHON") }

    /// `$KIEL_TEST_ZK_CTL stop N | start N | status`.
    @discardableResult
    static func ctl(_ args: String...) throws -> String {
        try run(try env("KIEL_TEST_ZK_CTL"), args)
    }

    /// Runs a Python script (with kazoo) and returns its standard output.
    static func runPython(_ script: String, _ args: [String] = []) throws -> String {
        try run(try python(), ["-c", script] + args)
    }

    /// Output goes to temporary files, not pipes: a server started by the command inherits
    /// them and would keep a pipe open forever.
    static func run(_ executable: String, _ args: [String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory
        let outURL = dir.appendingPathComponent("zk-test-\(UUID().uuidString).out")
        let errURL = dir.appendingPathComponent("zk-test-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        // system() rather than Process: Foundation's waitUntilExit can hang when the command
        // leaves a server running in the background.
        func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = ([executable] + args).map(quote).joined(separator: " ")
            + " </dev/null >" + quote(outURL.path) + " 2>" + quote(errURL.path)
        let status = system(command)
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let errText = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            throw ZKTestFailure("\(executable) \(args.prefix(2).joined(separator: " ")) failed "
                + "(\(status)): \(errText)\(text)")
        }
        return text
    }
}

struct ZKTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Drives one IOLoop for a test: connects clients and waits for operations (with generous
/// deadlines that only bound how long a broken test hangs).
final class ZKLoopHarness {
    let loop: IOLoop
    var clients: [ZooKeeperClient] = []
    /// A unique root for this test so runs never see each other's nodes.
    let root = "/kiel-swift-test-\(UInt64.random(in: 0...UInt64.max))"

    init() throws {
        loop = try IOLoop()
        if ProcessInfo.processInfo.environment["KIEL_TEST_LOG"] != nil {
            KielLog.setHandler(level: .debug) { level, message in
                FileHandle.standardError.write(Data("[\(level)] \(message)\n".utf8))
            }
        }
    }

    func wait<T>(_ timeout: Duration = .seconds(30),
                 _ body: (_ done: @escaping (Result<T, any Error>) -> Void) -> Void) throws -> T {
        try loop.runUntilComplete(timeout: timeout, body)
    }

    /// Runs one client operation to completion and returns its result.
    func result<T>(_ timeout: Duration = .seconds(30),
                   _ operation: (@escaping (Result<T, ZooKeeperError>) -> Void) -> Void) throws -> Result<T, ZooKeeperError> {
        try wait(timeout) { done in operation { done(.success($0)) } }
    }

    /// Runs one client operation that must succeed.
    @discardableResult
    func value<T>(_ timeout: Duration = .seconds(30),
                  _ operation: (@escaping (Result<T, ZooKeeperError>) -> Void) -> Void) throws -> T {
        try result(timeout, operation).get()
    }

    /// Lets the loop run for `duration` (for "nothing else happens" checks and waits).
    func spin(_ duration: Duration) {
        _ = try? wait(duration + .seconds(5)) { (done: @escaping (Result<Void, any Error>) -> Void) in
            loop.callLater(duration) { done(.success(())) }
        }
    }

    /// Waits until `condition` holds, checking every 10 ms.
    func until(_ what: String, timeout: Duration = .seconds(30), _ condition: @escaping () -> Bool) throws {
        do {
            try wait(timeout) { (done: @escaping (Result<Void, any Error>) -> Void) in
                check(done)
            }
        } catch is LoopTimeoutError {
            throw ZKTestFailure("timed out waiting for \(what)")
        }
        func check(_ done: @escaping (Result<Void, any Error>) -> Void) {
            if condition() { return done(.success(())) }
            loop.callLater(.milliseconds(10)) { check(done) }
        }
    }

    /// A started client, once its first session is up.
    func connect(_ connectString: String, sessionTimeout: Duration = .seconds(10),
                 chrootless: Bool = false) throws -> ZooKeeperClient {
        let client = try ZooKeeperClient(loop: loop, connectString: connectString,
                                         sessionTimeout: sessionTimeout)
        clients.append(client)
        let _: Void = try wait { done in
            client.addStateListener { change in
                if case .connected = change { done(.success(())) }
            }
            client.start()
        }
        return client
    }

    func closeAll() {
        for client in clients {
            _ = try? wait(.seconds(10)) { (done: @escaping (Result<Void, any Error>) -> Void) in
                client.close { done(.success(())) }
            }
        }
        clients = []
    }
}

extension Result {
    var error: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
