import Foundation
import KielIO
import KielTestSupport
import XCTest
@testable import ZooKeeper

/// The real ZooKeeper services the tests use (started by scripts/test.sh), as connect strings.
enum ZKServices {
    static func single() throws -> String {
        let server = try TestServices.zookeeper()
        return "\(server.host):\(server.port)"
    }

    static func ensemble() throws -> String { try TestServices.zookeeperEnsembleConnectString() }

    /// Runs inline Python (with kazoo) and returns what it printed.
    static func runPython(_ code: String, _ args: [String] = []) throws -> String {
        try TestServices.runPython(code: code, args: args)
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

    /// `clock`: `.manual(TestClock())` for timer tests in virtual time (the loop then polls
    /// sockets without waiting for timers, which fire only as the test advances the clock).
    init(clock: LoopClock = .monotonic) throws {
        loop = try IOLoop(clock: clock)
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

    /// Waits until an asynchronous probe answers true, probing again 20 ms after each false.
    func eventually(_ what: String, timeout: Duration = .seconds(30),
                    _ probe: @escaping (_ answer: @escaping (Bool) -> Void) -> Void) throws {
        do {
            try wait(timeout) { (done: @escaping (Result<Void, any Error>) -> Void) in
                attempt(done)
            }
        } catch is LoopTimeoutError {
            throw ZKTestFailure("timed out waiting for \(what)")
        }
        func attempt(_ done: @escaping (Result<Void, any Error>) -> Void) {
            probe { ok in
                if ok { return done(.success(())) }
                self.loop.callLater(.milliseconds(20)) { attempt(done) }
            }
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
