// embedded: a host program with its own epoll loop that serves a small TCP service and runs a
// Kafka producer and consumer inside the same loop, with no extra thread.
//
// The service is a line relay on loopback: every line a client sends is produced to TOPIC,
// and every message consumed from TOPIC is sent to every connected client as "kafka: LINE".
// The IOLoop runs in host-driven mode (`attachHost`): it tells the host which descriptors to
// watch and when it next needs attention; the host's epoll_wait covers both (HostLoop.swift).
//
// To show it working on its own, the program also connects one client to its own service
// (non-blocking, in the same epoll set), sends a few lines, and exits once they came back
// through Kafka (or after --seconds).
//
//   embedded BROKERS TOPIC [--seconds N] [--lines N]
import CLinux
import Foundation
import Glibc
import Kiel

func say(_ line: String) { FileHandle.standardOutput.write(Data("\(line)\n".utf8)) }

/// Takes `name VALUE` out of `arguments`, or gives `fallback`.
func option(_ name: String, _ fallback: Int, in arguments: inout [String]) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else {
        return fallback
    }
    arguments.removeSubrange(i...(i + 1))
    return v
}
var arguments = Array(CommandLine.arguments.dropFirst())
let seconds = option("--seconds", 20, in: &arguments)
let lineCount = option("--lines", 5, in: &arguments)
guard arguments.count == 2 else {
    say("usage: embedded BROKERS TOPIC [--seconds N] [--lines N]")
    exit(2)
}
let brokers = arguments[0].split(separator: ",").map(String.init)
let topic = arguments[1]

/// A connected client of the relay: buffered lines in, queued bytes out.
final class Client {
    let fd: Int32
    var input: [UInt8] = []
    init(fd: Int32) { self.fd = fd }
}

func makeNonBlocking(_ fd: Int32) { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }

func listenLoopback() -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
            _ = bind(fd, sa, len)
            _ = listen(fd, 16)
            _ = getsockname(fd, sa, &len)
        }
    }
    makeNonBlocking(fd)
    return (fd, Int(UInt16(bigEndian: addr.sin_port)))
}

func readAvailable(_ fd: Int32) -> [UInt8]? {
    var buffer = [UInt8](repeating: 0, count: 4096)
    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { return nil }
    return n > 0 ? Array(buffer[0..<n]) : []
}

func sendAll(_ fd: Int32, _ bytes: [UInt8]) {
    _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
}

func run() throws -> Bool {
    let loop = try IOLoop()
    let host = try HostLoop(loop: loop)
    let producer = try Producer<String>(loop: loop, brokers: brokers, serializer: .string)
    var consumerOptions = SingleConsumer<String>.Options()
    consumerOptions.maxWaitTime = .milliseconds(100)
    let consumer = try SingleConsumer<String>(loop: loop, brokers: brokers, deserializer: .string,
                                              options: consumerOptions)

    // The relay service, on the host's own epoll set.
    var clients: [Int32: Client] = [:]
    let (listener, port) = listenLoopback()
    host.watch(listener) { _ in
        let fd = accept(listener, nil, nil)
        guard fd >= 0 else { return }
        makeNonBlocking(fd)
        let client = Client(fd: fd)
        clients[fd] = client
        host.watch(fd) { _ in
            guard let bytes = readAvailable(fd) else {
                host.unwatch(fd)
                clients[fd] = nil
                close(fd)
                return
            }
            client.input += bytes
            while let nl = client.input.firstIndex(of: 0x0A) {
                let line = String(decoding: client.input[..<nl], as: UTF8.self)
                client.input.removeSubrange(...nl)
                do { try producer.produce(topic, line) } catch { say("relay: cannot produce: \(error)") }
            }
        }
    }
    say("relay listening on 127.0.0.1:\(port); lines go to topic \(topic)")

    // What comes back from Kafka goes to every client.
    var expected = Set((0..<lineCount).map { "hello \($0) from pid \(getpid())" })
    consumer.onError = { say("consumer: \($0)") }
    consumer.onMessages = { messages in
        for message in messages {
            for client in clients.values { sendAll(client.fd, Array("kafka: \(message.value)\n".utf8)) }
        }
    }
    consumer.subscribe(topic, start: .end)

    // The program's own client: connect, wait for the consumer to find the end, then talk.
    let me = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = UInt16(port).bigEndian
    _ = withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(me, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    makeNonBlocking(me)
    var received: [UInt8] = []
    host.watch(me) { _ in
        guard let bytes = readAvailable(me) else { return host.unwatch(me) }
        received += bytes
        while let nl = received.firstIndex(of: 0x0A) {
            let line = String(decoding: received[..<nl], as: UTF8.self)
            received.removeSubrange(...nl)
            say("client got \"\(line)\"")
            if line.hasPrefix("kafka: ") { expected.remove(String(line.dropFirst(7))) }
            if expected.isEmpty { host.running = false }
        }
    }
    // Talk once the consumer knows where the end is (a fixed pause would lose the lines on a
    // slow machine: they would land before the end the consumer then looks up).
    func talkWhenPositioned() {
        guard consumer.positions.keys.contains(where: { $0.topic == topic }) else {
            loop.callLater(.milliseconds(50)) { talkWhenPositioned() }
            return
        }
        for line in expected.sorted() {
            say("client sends \"\(line)\"")
            sendAll(me, Array("\(line)\n".utf8))
        }
    }
    talkWhenPositioned()

    host.run(until: loop.now + .seconds(Int64(seconds)))
    say(expected.isEmpty ? "every line came back through Kafka" : "\(expected.count) lines did not come back")
    consumer.unsubscribe(topic)
    var closed = 0
    producer.close { closed += 1 }
    consumer.close { closed += 1 }
    host.running = true
    let deadline = loop.now + .seconds(5)
    while closed < 2 && loop.now < deadline { host.run(until: min(deadline, loop.now + .milliseconds(50))) }
    close(me)
    close(listener)
    for fd in clients.keys { close(fd) }
    return expected.isEmpty
}

do {
    exit(try run() ? 0 : 1)
} catch {
    say("embedded: \(error)")
    exit(1)
}
