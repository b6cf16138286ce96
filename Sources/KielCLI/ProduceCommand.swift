import Foundation
import Kiel
#if canImport(Glibc)
import Glibc
#endif

/// `kiel produce`: one message per line of standard input (or of the one file given with -l),
/// read on the loop (the fd is watched like any socket), or each file given as one message;
/// flushed and closed at end of input. Exits 1 if any message failed. Every message carries
/// the -H headers. A progress line on a terminal; --stats reports on standard error.
final class ProduceCommand {
    let options: ProduceOptions
    let loop: IOLoop
    let producer: Producer<[UInt8]>
    let finish: (Int32) -> Void
    var pending: [UInt8] = []
    var failures = 0
    var reading = false
    var done = false
    /// Where lines are read from: standard input, or the -l file.
    var input: Int32 = 0
    let headers: [RecordHeader]
    var progress: ProduceProgress?

    static func start(_ o: ProduceOptions, loop: IOLoop, _ finish: @escaping (Int32) -> Void) throws -> Command.Interruptible? {
        let command = try ProduceCommand(o, loop: loop, finish)
        command.begin()
        return Command.Interruptible { command.endOfInput(interrupted: true) }
    }

    init(_ o: ProduceOptions, loop: IOLoop, _ finish: @escaping (Int32) -> Void) throws {
        self.options = o
        self.loop = loop
        self.finish = finish
        headers = o.headers.map { RecordHeader(key: $0.name, value: Array($0.value.utf8)) }
        var po = Producer<[UInt8]>.Options()
        po.compression = CompressionCodec.allCases.first { "\($0)" == o.codec } ?? .none
        o.properties.apply(to: &po)
        producer = try Producer(loop: loop, brokers: o.brokers, serializer: .bytes, options: po)
    }

    func begin() {
        // Lines are read even when no broker answers yet: like librdkafka, the producer holds
        // them and keeps trying within the delivery timeout, so a broker restarting while this
        // command starts loses nothing.
        producer.connect { result in
            if case .failure(let error) = result {
                FileHandleOutput.stderr("kiel: not connected yet (\(error)); messages wait for the broker\n")
            }
        }
        progress = ProduceProgress.startIfTerminal(producer)
        if options.stats {
            producer.reportStatistics(every: StatisticsText.interval(options.properties)) { statistics in
                FileHandleOutput.stderr(StatisticsText.lines(statistics))
            }
        }
        if options.linesFromFiles, let path = options.files.first {
            input = open(path, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else {
                FileHandleOutput.stderr("kiel: cannot open \(path): errno \(errno)\n")
                failures += 1
                return endOfInput()
            }
        } else if !options.files.isEmpty {
            return sendFiles()
        }
        resumeReading()
    }

    /// Each file from `index` on is one message, read whole (kcat's `-P` with file arguments);
    /// a full buffer waits for room and goes on with the same file.
    func sendFiles(from index: Int = 0) {
        for i in options.files.indices where i >= index {
            guard let data = FileManager.default.contents(atPath: options.files[i]) else {
                FileHandleOutput.stderr("kiel: cannot read \(options.files[i])\n")
                failures += 1
                continue
            }
            if !send(nil, Array(data)) { return producer.flush { [self] in self.sendFiles(from: i) } }
        }
        endOfInput()
    }

    func resumeReading() {
        guard !reading, !done else { return }
        reading = true
        loop.addHandler(input, events: .read) { [self] _ in self.readInput() }
    }

    func pauseReading() {
        guard reading else { return }
        reading = false
        loop.removeHandler(input)
    }

    func readInput() {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EAGAIN || errno == EINTR { return }
            FileHandleOutput.stderr("kiel: reading standard input: errno \(errno)\n")
            failures += 1
            return endOfInput()
        }
        if n == 0 { return endOfInput() }
        pending += chunk[0..<n]
        if !processLines() {
            // The buffer is full: stop reading until what is queued is delivered.
            pauseReading()
            producer.flush { [self] in
                if self.processLines() { self.resumeReading() } else { self.producer.flush { self.retryAfterFull() } }
            }
        }
    }

    func retryAfterFull() {
        if processLines() { resumeReading() } else { producer.flush { self.retryAfterFull() } }
    }

    /// Sends every complete line in `pending`; false (leaving the rest) if the buffer filled up.
    func processLines() -> Bool {
        var start = 0
        defer { pending.removeFirst(start) }
        while let nl = pending[start...].firstIndex(of: 0x0A) {
            var line = Array(pending[start..<nl])
            if line.last == 0x0D { line.removeLast() }
            guard send(line) else { return false }
            start = nl + 1
        }
        return true
    }

    /// Sends one line; false when the producer's buffer is full (the line was not taken).
    func send(_ line: [UInt8]) -> Bool {
        let (key, value) = LineFormat.split(line, separator: options.keySeparator.map { Array($0.utf8) })
        return send(key, value)
    }

    /// Sends one message; false when the producer's buffer is full (it was not taken).
    func send(_ key: [UInt8]?, _ value: [UInt8]) -> Bool {
        do {
            try producer.produce(options.topic, value, key: key, partition: options.partition,
                                 headers: headers) { [self] result in
                if case .failure(let error) = result {
                    self.failures += 1
                    FileHandleOutput.stderr("kiel: delivery failed: \(error)\n")
                }
            }
            return true
        } catch KielError.bufferFull {
            return false
        } catch {
            failures += 1
            FileHandleOutput.stderr("kiel: \(error)\n")
            return true
        }
    }

    /// At end of input a last line without a newline is still a message; on interrupt, lines
    /// not yet handed to the producer are dropped (what was accepted is still delivered).
    func endOfInput(interrupted: Bool = false) {
        guard !done else { return }
        done = true
        pauseReading()
        if !interrupted && !pending.isEmpty && !pending.contains(0x0A) {
            _ = send(pending)
        }
        pending.removeAll()
        if input > 0 { Glibc.close(input) }
        // Statistics once everything is acknowledged, while the connections are still open.
        producer.flush { [self] in
            self.progress?.finish(self.producer)
            if self.options.stats { FileHandleOutput.stderr(StatisticsText.lines(self.producer.statistics())) }
            self.producer.close { self.finish(self.failures > 0 ? 1 : 0) }
        }
    }
}
