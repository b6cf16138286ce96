// epoll-host: a service that owns its event loop and embeds a KielIO IOLoop in it.
//
// The pattern is libcurl's multi_socket style. The service keeps its own epoll_wait loop
// and never gives KielIO a thread. `IOLoop.attachHost(watch:deadline:)` makes the loop tell
// the host which descriptors it needs watched (`watch`) and when it next needs attention
// (`deadline`); the host puts those descriptors into its own epoll set and, when one is
// ready or the deadline has passed, calls `hostReady(fd:events:)` or `hostDeadlineReached()`
// (see EpollHost.swift). Everything runs on the main thread: the service's own sockets,
// KielIO's sockets, timers and callbacks. Another thread reaches the loop only through
// `addCallback`, which signals the loop's eventfd, one more descriptor in the host's set.
//
// Here the host itself serves a line-based "uptime" service and a frame echo service on
// loopback. On the KielIO side a PeriodicCallback prints a heartbeat and a FramedStream
// round-trips frames through the echo service. A worker thread (DispatchQueue) asks the
// uptime service over a blocking socket and hands the answer to the loop with addCallback.
//
// Usage: swift run epoll-host [--seconds N]     (default 3; events on stdout, logs on stderr)

import Dispatch
import Foundation
import KielIO

/// What happens, on stdout. Unbuffered like `log`, so the two stay in order in a pipe.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data("\(line)\n".utf8))
}

func log(_ message: String) {
    FileHandle.standardError.write(Data("epoll-host: \(message)\n".utf8))
}

func secondsText(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    return String(format: "%.2fs", Double(seconds) + Double(attoseconds) / 1e18)
}

/// What the KielIO side achieved, for the exit status. Loop thread only.
final class Outcome {
    var echoed = 0
    var uptimeAnswer: String?
}

func runDemo(seconds: Int) throws -> Bool {
    KielLog.setHandler(level: .info) { level, message in log("kiel \(level): \(message)") }
    let started = Deadline.now()
    let loop = try IOLoop()
    let host = try EpollHost(loop: loop)

    let uptime = try LoopbackService(name: "uptime", host: host) { received in
        var reply: [UInt8] = []
        while let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
            received.removeSubrange(...newline)
            reply += Array("up \(secondsText(Deadline.now() - started))\n".utf8)
        }
        return reply
    }
    // Echoing bytes as they come echoes frames too: the client sees its own frames back.
    let echo = try LoopbackService(name: "frame echo", host: host) { received in
        defer { received.removeAll() }
        return received
    }
    say("host: uptime service on 127.0.0.1:\(uptime.port), frame echo on 127.0.0.1:\(echo.port)")

    // The KielIO side is set up exactly as if the loop ran on a thread of its own.
    let outcome = Outcome()
    var beats = 0
    let heartbeat = PeriodicCallback(loop: loop, interval: .milliseconds(500)) {
        beats += 1
        say("loop: heartbeat \(beats) at \(secondsText(Deadline.now() - started))")
    }
    heartbeat.start()

    let frames = ["hello", "from KielIO", "inside an epoll host"].map { Array($0.utf8) }
    FramedStream.connect(loop: loop, host: "127.0.0.1", port: echo.port, timeout: .seconds(2)) { result in
        guard case .success(let stream) = result else { return log("connect failed: \(result)") }
        say("loop: FramedStream connected to the frame echo service"
              + " (the host now watches \(host.loopDescriptorCount) fds for the loop)")
        stream.onFrame = { frame in
            outcome.echoed += 1
            say("loop: frame \(outcome.echoed) came back: \"\(String(decoding: frame, as: UTF8.self))\"")
            if outcome.echoed < frames.count { stream.send(frames[outcome.echoed]) } else { stream.close() }
        }
        stream.onClose = { error in say("loop: stream closed \(error.map { "(\($0))" } ?? "by us")") }
        stream.send(frames[0])
    }

    let sharedOutcome = LoopBound(outcome, loop: loop)
    let uptimePort = uptime.port
    // The worker asks a little later, so its addCallback wakes the host from epoll_wait.
    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(700)) {
        let answer = askBlocking(port: uptimePort, "uptime?\n")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        loop.addCallback {
            sharedOutcome.value.uptimeAnswer = answer
            say("loop: a worker thread asked the uptime service and sent back, via addCallback: \"\(answer)\"")
        }
    }

    host.run(until: started + .seconds(seconds))

    heartbeat.stop()
    loop.detachHost()
    uptime.shutdown()
    echo.shutdown()
    let ok = outcome.echoed == frames.count && outcome.uptimeAnswer != nil
    say("host: stopped after \(secondsText(Deadline.now() - started)): \(outcome.echoed)/\(frames.count)"
          + " frames echoed, uptime answer \(outcome.uptimeAnswer == nil ? "missing" : "received")")
    return ok
}

var seconds = 3
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    guard argument == "--seconds", let value = arguments.popFirst().flatMap({ Int($0) }), value > 0 else {
        log("usage: epoll-host [--seconds N]")
        exit(2)
    }
    seconds = value
}
do {
    exit(try runDemo(seconds: seconds) ? 0 : 1)
} catch {
    log("failed: \(error)")
    exit(1)
}
