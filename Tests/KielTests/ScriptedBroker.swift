import Foundation
import Glibc
@testable import Kiel

/// An in-process Kafka cluster that speaks just enough of the protocol (ApiVersions, Metadata,
/// InitProducerId, Produce, ListOffsets, Fetch, and a one-member group coordinator in
/// `ScriptedGroupCoordinator`) for the clients to work against it, and that
/// follows a script to inject the faults a real broker won't produce on demand: a connection
/// cut in the middle of a response, NOT_LEADER with the leader moving to another node, a
/// retriable error then success, a non-retriable error, garbage bytes, slow answers.
///
/// Each node listens on its own loopback port and serves connections on plain threads with
/// blocking sockets, independent of the client's IOLoop. Like Kafka it deduplicates produce
/// batches by producer id and sequence, so a retry after a lost answer does not duplicate.
/// State is shared by all nodes and guarded by one lock; tests read it through `snapshot`.
final class ScriptedBroker: @unchecked Sendable {
    enum Action {
        /// Answer as a broker would.
        case normal
        /// Answer every partition with this error code (the request is not applied).
        case error(Int16)
        /// Answer NOT_LEADER_OR_FOLLOWER and make `node` the leader of everything.
        case notLeaderMovingTo(Int32)
        /// Apply the request, send only the first `bytes` of the answer, then close.
        case cutAfterApplying(bytes: Int)
        /// Close without reading further or answering.
        case closeWithoutAnswer
        /// Answer with a frame of junk bytes.
        case garbage
        /// Wait, then answer normally.
        case delay(TimeInterval)
        /// Wait, then answer every partition with this error code.
        case delayedError(TimeInterval, Int16)
        /// Answer every partition of a fetch with these record bytes as they are (a hostile
        /// batch, say), whatever offset was asked for.
        case records([UInt8])
        /// Answer normally, listing these aborted transactions (as a broker does for a
        /// read_committed fetch) and the high watermark as the last stable offset.
        case abortedTransactions([FetchResponse.AbortedTransaction])
    }

    struct Stored {
        var baseOffset: Int64
        var count: Int
        var batch: [UInt8]
    }

    private let lock = NSLock()
    private var listeners: [Int32: Int32] = [:]      // node id -> listening fd
    private(set) var ports: [Int32: Int] = [:]
    private var leader: Int32
    /// When set, partition p is led by node `1 + p % nodes` instead of by `leader`.
    private var spreadLeaders: Int32?
    private var topics: [String: Int]
    private var log: [TopicPartition: [Stored]] = [:]
    private var sequences: [TopicPartition: [Int64: [Int32: Int64]]] = [:]   // pid -> baseSequence -> offset
    private var nextSequence: [TopicPartition: [Int64: Int32]] = [:]         // pid -> the sequence expected next
    private var nextProducerID: Int64 = 4242
    private var epochs: [Int64: Int16] = [:]                                    // pid -> current epoch
    /// InitProducerId requests that bumped an existing producer's epoch (KIP-360).
    private(set) var epochBumps = 0
    /// The producer id and epoch of the last batch stored.
    private(set) var lastProducer: (id: Int64, epoch: Int16)?
    private(set) var outOfOrder = 0
    private var scripts: [ApiKey: [Action]] = [:]
    private(set) var requestCounts: [ApiKey: Int] = [:]
    private(set) var producesByNode: [Int32: Int] = [:]
    private(set) var fetchesByNode: [Int32: Int] = [:]
    private(set) var apiVersionsAsked: [Int16] = []
    private(set) var duplicatesDropped = 0
    private var openConnections: [Int32] = []
    private var closed = false
    /// Answers the group APIs (FindCoordinator, JoinGroup, OffsetCommit, ...), on node 1.
    let groups = ScriptedGroupCoordinator()
    /// How long an unscripted Fetch is held before its answer, as a long poll would be, so a
    /// consumer that keeps fetching doesn't spin against this broker.
    var fetchWait: TimeInterval {
        get { lock.withLock { heldFetch } }
        set { lock.withLock { heldFetch = newValue } }
    }
    private var heldFetch: TimeInterval = 0
    /// APIs left out of the ApiVersions answer, as a broker that lacks them would.
    var withheld: Set<ApiKey> {
        get { lock.withLock { withheldAPIs } }
        set { lock.withLock { withheldAPIs = newValue } }
    }
    private var withheldAPIs: Set<ApiKey> = []
    /// Answers for APIs this broker does not speak itself (the admin ones): given the request
    /// frame, its header and the node asked, the whole response frame.
    typealias Handler = @Sendable (_ frame: [UInt8], _ header: RequestHeader, _ node: Int32) throws -> [UInt8]
    func handle(_ api: ApiKey, _ handler: @escaping Handler) { lock.withLock { handlers[api] = handler } }
    private var handlers: [ApiKey: Handler] = [:]

    /// Starts `nodes` brokers (ids 1...nodes); node 1 leads every partition, or with
    /// `spread` partition p is led by node `1 + p % nodes`.
    init(nodes: Int32 = 1, topics: [String: Int], spread: Bool = false) throws {
        self.leader = 1
        self.spreadLeaders = spread ? nodes : nil
        self.topics = topics
        for node in 1...nodes {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = 0
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &addr) { p in
                p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                    bind(fd, sa, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, sa, &len) == 0
                }
            }
            guard ok else { throw KielError.invalidArgument("scripted broker cannot listen: errno \(errno)") }
            listeners[node] = fd
            ports[node] = Int(UInt16(bigEndian: addr.sin_port))
            Thread { [self] in self.acceptLoop(fd: fd, node: node) }.start()
        }
    }

    var bootstrap: String { "127.0.0.1:\(ports[1]!)" }

    /// Makes `node` the leader of every partition from the next metadata answer on (a
    /// leader election, say); fetches are still answered by any node.
    func moveLeaders(to node: Int32) {
        lock.withLock { leader = node }
    }

    /// Queues actions for the next requests of `api` (one action per request, in order).
    func script(_ api: ApiKey, _ actions: [Action]) {
        lock.withLock { scripts[api, default: []] += actions }
    }

    /// Appends records as another producer would (offsets continue the partition's log).
    func append(topic: String, partition: Int32, values: [[UInt8]]) throws {
        var builder = RecordBatchBuilder()
        for v in values { builder.append(timestamp: 1_700_000_000_000, key: nil, value: v) }
        let batch = try builder.build()
        lock.withLock { _ = store(batch, count: values.count, tp: TopicPartition(topic, partition)) }
    }

    /// Appends a batch built elsewhere (say, a decompression bomb) that holds `count` records;
    /// its base offset is rewritten to continue the partition's log.
    func append(topic: String, partition: Int32, batch: [UInt8], count: Int) {
        lock.withLock { _ = store(batch, count: count, tp: TopicPartition(topic, partition)) }
    }

    /// Flips the last byte of a stored batch, so its CRC no longer matches.
    func corrupt(topic: String, partition: Int32, batch index: Int) {
        lock.withLock { log[TopicPartition(topic, partition)]![index].batch[61 + 3] ^= 0xFF }
    }

    /// The values stored in a partition, in offset order.
    func values(topic: String, partition: Int32) throws -> [[UInt8]] {
        let stored = lock.withLock { log[TopicPartition(topic, partition)] ?? [] }
        return try stored.flatMap { try RecordBatchDecoder().decode($0.batch).records.map { $0.value ?? [] } }
    }

    /// The ApiVersions versions clients asked with, in order.
    func handshakes() -> [Int16] { lock.withLock { apiVersionsAsked } }

    func counts() -> (requests: [ApiKey: Int], producesByNode: [Int32: Int], fetchesByNode: [Int32: Int],
                      duplicates: Int, outOfOrder: Int) {
        lock.withLock { (requestCounts, producesByNode, fetchesByNode, duplicatesDropped, outOfOrder) }
    }

    /// Stops serving. Descriptors are only shut down here; the thread that owns each one
    /// closes it, so a number is never closed twice (and never after another socket reused it).
    func stop() {
        let fds: [Int32]? = lock.withLock {
            guard !closed else { return nil }
            closed = true
            return Array(listeners.values) + openConnections
        }
        for fd in fds ?? [] { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    deinit { stop() }

    // MARK: serving

    private func acceptLoop(fd: Int32, node: Int32) {
        defer { close(fd) }
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let isClosed = lock.withLock {
                openConnections.append(client)
                return closed
            }
            if isClosed {
                lock.withLock { openConnections.removeAll { $0 == client } }
                close(client)
                return
            }
            Thread { [self] in self.serve(fd: client, node: node) }.start()
        }
    }

    private func readExactly(_ fd: Int32, _ n: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, n - got, 0) }
            if r <= 0 { if r < 0 && errno == EINTR { continue }; return nil }
            got += r
        }
        return out
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let r = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if r <= 0 { if r < 0 && errno == EINTR { continue }; return }
            sent += r
        }
    }

    private func serve(fd: Int32, node: Int32) {
        defer {
            lock.withLock { openConnections.removeAll { $0 == fd } }
            close(fd)
        }
        while let prefix = readExactly(fd, 4) {
            let size = Int(UInt32(prefix[0]) << 24 | UInt32(prefix[1]) << 16 | UInt32(prefix[2]) << 8 | UInt32(prefix[3]))
            guard size < 64 << 20, let frame = readExactly(fd, size),
                  let header = try? KafkaFrame.requestHeader(of: frame),
                  let api = ApiKey(rawValue: header.apiKey) else { return }
            let action: Action = lock.withLock {
                requestCounts[api, default: 0] += 1
                if api == .produce { producesByNode[node, default: 0] += 1 }
                if api == .fetch { fetchesByNode[node, default: 0] += 1 }
                if api == .apiVersions { apiVersionsAsked.append(header.apiVersion) }
                guard var queue = scripts[api], !queue.isEmpty else { return .normal }
                let next = queue.removeFirst()
                scripts[api] = queue
                return next
            }
            switch action {
            case .closeWithoutAnswer: return
            case .garbage:
                writeAll(fd, [0, 0, 0, 12] + [UInt8](repeating: 0xEE, count: 12))
                continue
            case .delay(let seconds), .delayedError(let seconds, _): Thread.sleep(forTimeInterval: seconds)
            case .normal where api == .fetch && fetchWait > 0: Thread.sleep(forTimeInterval: fetchWait)
            default: break
            }
            guard let response = try? answer(api, frame: frame, header: header, node: node, action: action) else { return }
            if case .cutAfterApplying(let bytes) = action {
                writeAll(fd, Array(response.prefix(bytes)))
                return
            }
            writeAll(fd, response)
        }
    }

    // MARK: the protocol

    private func answer(_ api: ApiKey, frame: [UInt8], header: RequestHeader, node: Int32,
                        action: Action) throws -> [UInt8] {
        let version = header.apiVersion
        let id = header.correlationId
        switch api {
        case .apiVersions:
            var r = ApiVersionsResponse()
            if case .error(let code) = action {
                // An older broker: it refuses the version and answers in v0 layout, listing
                // the ApiVersions versions it does speak.
                r.errorCode = code
                r.apiKeys = [ApiVersionsResponse.ApiVersion(apiKey: ApiKey.apiVersions.rawValue, minVersion: 0, maxVersion: 2)]
                return try KafkaFrame.encodeResponse(r, version: 0, correlationId: id)
            }
            let withheld = self.withheld
            r.apiKeys = ApiSpec.all.filter { !withheld.contains($0.key) }.map {
                ApiVersionsResponse.ApiVersion(apiKey: $0.key.rawValue, minVersion: $0.versions.lowerBound,
                                               maxVersion: $0.versions.upperBound)
            }
            return try KafkaFrame.encodeResponse(r, version: min(version, 3), correlationId: id)
        case .metadata:
            let request = try KafkaFrame.decodeRequest(MetadataRequest.self, frame: frame).body
            var answer = metadata(request)
            if case .error(let code) = action {
                // Every topic known but without partitions yet (e.g. LEADER_NOT_AVAILABLE).
                for i in answer.topics.indices where answer.topics[i].errorCode == 0 {
                    answer.topics[i].errorCode = code
                    answer.topics[i].partitions = []
                }
            }
            return try KafkaFrame.encodeResponse(answer, version: version, correlationId: id)
        case .initProducerId:
            var r = InitProducerIdResponse()
            if case .error(let code) = action {
                r.errorCode = code
                r.producerId = -1
                r.producerEpoch = -1
                return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
            }
            let request = try KafkaFrame.decodeRequest(InitProducerIdRequest.self, frame: frame).body
            lock.withLock {
                if request.producerId >= 0, let current = epochs[request.producerId], current == request.producerEpoch {
                    // KIP-360: the same producer asks for a new epoch; its sequences start over.
                    epochBumps += 1
                    r.producerId = request.producerId
                    r.producerEpoch = current + 1
                    for tp in Array(nextSequence.keys) {
                        nextSequence[tp]?[request.producerId] = nil
                        sequences[tp]?[request.producerId] = nil
                    }
                } else {
                    r.producerId = nextProducerID
                    r.producerEpoch = 0
                    nextProducerID += 1
                }
                epochs[r.producerId] = r.producerEpoch
            }
            return try KafkaFrame.encodeResponse(r, version: version, correlationId: id)
        case .produce:
            let request = try KafkaFrame.decodeRequest(ProduceRequest.self, frame: frame).body
            return try KafkaFrame.encodeResponse(produce(request, node: node, action: action), version: version,
                                                 correlationId: id)
        case .listOffsets:
            let request = try KafkaFrame.decodeRequest(ListOffsetsRequest.self, frame: frame).body
            return try KafkaFrame.encodeResponse(listOffsets(request), version: version, correlationId: id)
        case .fetch:
            let request = try KafkaFrame.decodeRequest(FetchRequest.self, frame: frame).body
            return try KafkaFrame.encodeResponse(fetch(request, action: action), version: version, correlationId: id)
        default:
            if let handler = lock.withLock({ handlers[api] }) { return try handler(frame, header, node) }
            if let answer = try groups.answer(api, frame: frame, header: header, port: ports[1]!, action: action) {
                return answer
            }
            throw KielError.invalidArgument("scripted broker does not speak \(api)")
        }
    }

    private func metadata(_ request: MetadataRequest) -> MetadataResponse {
        lock.withLock {
            var r = MetadataResponse()
            r.brokers = ports.sorted { $0.key < $1.key }.map {
                MetadataResponse.Broker(nodeId: $0.key, host: "127.0.0.1", port: Int32($0.value))
            }
            r.controllerId = 1
            let names = request.topics?.compactMap(\.name) ?? Array(topics.keys)
            r.topics = names.map { name in
                var t = MetadataResponse.Topic()
                t.name = name
                if topics[name] == nil && request.allowAutoTopicCreation && request.topics != nil { topics[name] = 1 }
                guard let count = topics[name] else {
                    t.errorCode = BrokerError.unknownTopicOrPartition
                    return t
                }
                t.partitions = (0..<Int32(count)).map { p in
                    var part = MetadataResponse.Partition()
                    part.partitionIndex = p
                    part.leaderId = leaderOf(p)
                    part.replicaNodes = [part.leaderId]
                    part.isrNodes = [part.leaderId]
                    return part
                }
                return t
            }
            return r
        }
    }

    private func leaderOf(_ partition: Int32) -> Int32 {
        spreadLeaders.map { 1 + partition % $0 } ?? leader
    }

    /// Appends a batch, giving it the partition's next offsets; returns its base offset.
    private func store(_ batch: [UInt8], count: Int, tp: TopicPartition) -> Int64 {
        var stored = log[tp] ?? []
        let base = stored.last.map { $0.baseOffset + Int64($0.count) } ?? 0
        var bytes = batch
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: base >> (56 - 8 * i)) }
        stored.append(Stored(baseOffset: base, count: count, batch: bytes))
        log[tp] = stored
        return base
    }

    private func produce(_ request: ProduceRequest, node: Int32, action: Action) -> ProduceResponse {
        lock.withLock {
            var r = ProduceResponse()
            r.topics = request.topics.map { topic in
                var t = ProduceResponse.Topic()
                t.name = topic.name
                t.partitions = topic.partitions.map { p in
                    var out = ProduceResponse.Partition()
                    out.index = p.index
                    let tp = TopicPartition(topic.name, p.index)
                    switch action {
                    case .error(let code), .delayedError(_, let code):
                        out.errorCode = code
                        return out
                    case .notLeaderMovingTo:
                        out.errorCode = BrokerError.notLeaderOrFollower
                        return out
                    default: break
                    }
                    guard node == leaderOf(p.index) else {
                        out.errorCode = BrokerError.notLeaderOrFollower
                        return out
                    }
                    guard let bytes = p.records, bytes.count >= 61, topics[topic.name] != nil else {
                        out.errorCode = BrokerError.unknownTopicOrPartition
                        return out
                    }
                    let pid = bytes[43..<51].reduce(Int64(0)) { $0 << 8 | Int64($1) }
                    let epoch = bytes[51..<53].reduce(Int16(0)) { $0 << 8 | Int16($1) }
                    let seq = bytes[53..<57].reduce(Int32(0)) { $0 << 8 | Int32($1) }
                    if pid >= 0, let current = epochs[pid], epoch < current {
                        out.errorCode = KafkaErrorCode.invalidProducerEpoch.rawValue
                        return out
                    }
                    let count = Int(bytes[57..<61].reduce(Int32(0)) { $0 << 8 | Int32($1) })
                    if pid >= 0, let earlier = sequences[tp]?[pid]?[seq] {
                        duplicatesDropped += 1
                        out.baseOffset = earlier
                        return out
                    }
                    // As Kafka does: a producer's batches must continue its sequence exactly.
                    if pid >= 0, seq != nextSequence[tp]?[pid] ?? 0 {
                        outOfOrder += 1
                        out.errorCode = BrokerError.outOfOrderSequenceNumber
                        return out
                    }
                    out.baseOffset = store(bytes, count: count, tp: tp)
                    lastProducer = (pid, epoch)
                    if pid >= 0 {
                        sequences[tp, default: [:]][pid, default: [:]][seq] = out.baseOffset
                        nextSequence[tp, default: [:]][pid] = seq &+ Int32(count)
                    }
                    return out
                }
                return t
            }
            if case .notLeaderMovingTo(let node) = action { leader = node }
            return r
        }
    }

    private func listOffsets(_ request: ListOffsetsRequest) -> ListOffsetsResponse {
        lock.withLock {
            var r = ListOffsetsResponse()
            r.topics = request.topics.map { topic in
                var t = ListOffsetsResponse.Topic()
                t.name = topic.name
                t.partitions = topic.partitions.map { p in
                    var out = ListOffsetsResponse.Partition()
                    out.partitionIndex = p.partitionIndex
                    let stored = log[TopicPartition(topic.name, p.partitionIndex)] ?? []
                    let end = stored.last.map { $0.baseOffset + Int64($0.count) } ?? 0
                    out.offset = p.timestamp == ListOffsetsRequest.earliestTimestamp ? 0 : end
                    return out
                }
                return t
            }
            return r
        }
    }

    private func fetch(_ request: FetchRequest, action: Action) -> FetchResponse {
        lock.withLock {
            var r = FetchResponse()
            r.topics = request.topics.map { topic in
                var t = FetchResponse.Topic()
                t.topic = topic.topic
                t.partitions = topic.partitions.map { p in
                    var out = FetchResponse.Partition()
                    out.partitionIndex = p.partition
                    if case .error(let code) = action {
                        out.errorCode = code
                        return out
                    }
                    if case .records(let bytes) = action {
                        out.records = bytes
                        return out
                    }
                    let stored = log[TopicPartition(topic.topic, p.partition)] ?? []
                    let end = stored.last.map { $0.baseOffset + Int64($0.count) } ?? 0
                    out.highWatermark = end
                    out.logStartOffset = 0
                    guard p.fetchOffset <= end, p.fetchOffset >= 0 else {
                        out.errorCode = BrokerError.offsetOutOfRange
                        return out
                    }
                    out.records = stored.filter { $0.baseOffset + Int64($0.count) > p.fetchOffset }.flatMap(\.batch)
                    if case .abortedTransactions(let aborted) = action {
                        out.abortedTransactions = aborted
                        out.lastStableOffset = end
                    }
                    return out
                }
                return t
            }
            return r
        }
    }
}
