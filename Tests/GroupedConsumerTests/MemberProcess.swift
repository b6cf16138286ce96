import Foundation
import XCTest
import KielTestSupport

/// A `kiel group` process started by a test, with its output collected line by line.
///
/// Output is read on background threads; everything a test reads goes through `lock`.
final class MemberProcess: @unchecked Sendable {
    /// A rebalance as the member printed it on stderr.
    struct Rebalance {
        var member: String
        /// Microseconds since the epoch, from the member's clock (one machine: comparable).
        var at: Int64
        var gained: Set<String>
        var lost: Set<String>
        var holding: Set<String>
    }

    /// A message as printed with -J.
    struct Consumed: Hashable {
        var topic: String
        var partition: Int
        var offset: Int64
        var value: String
    }

    let label: String
    private let process = Process()
    private let lock = NSLock()
    private var stdoutLines: [String] = []
    private var stderrLines: [String] = []
    private var partialOut = Data()
    private var partialErr = Data()
    /// Pipes whose writer end has closed (an empty read): 2 once the process's output is all in.
    private var pipesAtEnd = 0

    init(label: String, executable: URL, arguments: [String]) throws {
        self.label = label
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        for (pipe, isStderr) in [(out, false), (err, true)] {
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                if data.isEmpty { handle.readabilityHandler = nil }
                self?.take(data, stderr: isStderr)
            }
        }
        try process.run()
    }

    private func take(_ data: Data, stderr: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if data.isEmpty { pipesAtEnd += 1 }
        var buffer = (stderr ? partialErr : partialOut) + data
        while let newline = buffer.firstIndex(of: 0x0A) {
            let line = String(decoding: buffer[buffer.startIndex ..< newline], as: UTF8.self)
            if stderr { stderrLines.append(line) } else { stdoutLines.append(line) }
            buffer = Data(buffer[buffer.index(after: newline)...])
        }
        if stderr { partialErr = buffer } else { partialOut = buffer }
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end; nil if it is still running after `timeout` seconds.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else { return nil }
        // The readers still have to take what the process wrote last: wait for both pipes'
        // ends (a child it left running could hold them open, hence the deadline).
        let drainDeadline = Date().addingTimeInterval(5)
        while Date() < drainDeadline && lock.withLock({ pipesAtEnd < 2 }) { usleep(10_000) }
        return process.terminationStatus
    }

    var stderr: [String] { lock.lock(); defer { lock.unlock() }; return stderrLines }
    var stdout: [String] { lock.lock(); defer { lock.unlock() }; return stdoutLines }

    /// `% rebalance member=NAME at=MICROS gained=t:0,t:3 lost=- holding=t:0,t:3`
    var rebalances: [Rebalance] {
        stderr.compactMap { line in
            guard line.hasPrefix("% rebalance ") else { return nil }
            var fields: [String: String] = [:]
            for word in line.dropFirst("% rebalance ".count).split(separator: " ") {
                guard let equals = word.firstIndex(of: "=") else { continue }
                fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
            }
            func set(_ name: String) -> Set<String> {
                guard let value = fields[name], value != "-" else { return [] }
                return Set(value.split(separator: ",").map(String.init))
            }
            guard let member = fields["member"], let at = fields["at"].flatMap({ Int64($0) }) else { return nil }
            return Rebalance(member: member, at: at, gained: set("gained"), lost: set("lost"), holding: set("holding"))
        }
    }

    var holding: Set<String> { rebalances.last?.holding ?? [] }

    var consumed: [Consumed] {
        stdout.compactMap { line in
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let topic = object["topic"] as? String,
                  let partition = (object["partition"] as? NSNumber)?.intValue,
                  let offset = (object["offset"] as? NSNumber)?.int64Value else { return nil }
            return Consumed(topic: topic, partition: partition, offset: offset, value: object["value"] as? String ?? "")
        }
    }

    /// Stops the process if a test failed before it could.
    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

extension MemberProcess {
    /// The `kiel` executable built with the tests.
    static func kielExecutable() throws -> URL {
        // The test bundle sits in the build products folder next to the executables.
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for folder in [products, products.deletingLastPathComponent()] {
            let candidate = folder.appendingPathComponent("kiel")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        let root = try TestServices.root()
        let fallback = URL(fileURLWithPath: root).appendingPathComponent(".build/debug/kiel")
        guard FileManager.default.isExecutableFile(atPath: fallback.path) else {
            throw MissingExecutable("the kiel executable was not built next to the tests (looked in \(products.path))")
        }
        return fallback
    }

    struct MissingExecutable: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
