import KafkaProtocol
import KielIO

/// The one fetch engine every consumer owns: the positions of a changing set of assigned
/// partitions, their start-offset lookups (ListOffsets, one request per leader), Fetch
/// requests built one way (kiel's division of `maxBytes` among a leader's partitions, never
/// below one floor), answers absorbed one way (records before the position skipped, a decode
/// budget shared by the partitions of an answer, offsets that saturate instead of trapping,
/// out-of-range recovery), per-partition pause/resume/seek, and backoff from a leader whose
/// round brought only errors.
///
/// Two ways to drive it: `fetchRound` asks each leader once and answers when all have
/// (`SingleConsumer.consume`); `startContinuous` keeps one Fetch in flight per leader and
/// hands each partition's records to `onRecords` as they come (the grouped consumers). The
/// consumers differ only in how partitions get assigned and where offsets are committed.
///
/// Loop-confined: call it on the loop thread only; callbacks run there.
final class FetchEngine {
    typealias Settings = FetchOptions

    /// One assigned partition.
    struct Assignment {
        /// Where to look the position up when there is none, and where an out-of-range
        /// position goes back to — unless it is an exact offset, which goes to `fallback`.
        var start: StartPosition
        var fallback: StartPosition = .beginning
        /// The next offset to fetch; nil until looked up.
        var position: Int64?
        /// Bumped on every assign, seek and unassign, so an answer for an earlier run is ignored.
        var run = 0
        /// The run last started by `dropAnswersOnTheirWay` or `giveBack`, which keep or restore
        /// the position rather than move it.
        var runKeepingPosition = -1
        var paused = false
        var highWatermark: Int64?
        /// For starts by time: records before this timestamp (ms) are skipped until the first
        /// one at or after it. Kafka's ListOffsets already lands there; a broker that answers
        /// an earlier offset (Tansu answers the log start) is corrected by this.
        var timestampFloor: Int64?
        /// The position came from a "latest" lookup and was not fetched from yet. Kafka answers
        /// the log end, a batch boundary; a broker that answers inside the last batch (Tansu
        /// answers its base offset + 1) is corrected by skipping the rest of that batch.
        var fromLatest = false
        /// A partition whose next batch did not fit its share asks for more, doubling.
        var maxBytesOverride: Int32?
    }

    let loop: IOLoop
    let cluster: Cluster
    let settings: Settings
    /// Continuous mode: a partition's records (at or after its position), and the position after them.
    var onRecords: ((TopicPartition, [Record], _ nextOffset: Int64) -> Void)?
    /// Problems that are not a whole round failing: a partition's error code, a bad batch, a
    /// failed lookup, a failed Fetch in continuous mode.
    var onError: ((KielError) -> Void)?

    var assignments: [TopicPartition: Assignment] = [:]
    /// Partitions paused before they were assigned.
    var pausedAhead: Set<TopicPartition> = []
    /// Answers absorbed so far, to rotate which partition decodes first (and so gets the whole
    /// decode budget) from one answer to the next.
    var answers = 0
    var continuous = false
    var fetchingFrom: Set<Int32> = []
    /// Leaders whose last round failed: left alone for `retryBackoff`.
    var backingOff: Set<Int32> = []
    var lookingUp = false
    var pumpScheduled = false
    /// Continuous mode: partitions' records waiting to be delivered, front at `readyHead`.
    var ready: [Delivery] = []
    var readyHead = 0
    var deliveryScheduled = false
    /// Per leader, how many partitions of its last answer are still being delivered.
    var undelivered: [Int32: Int] = [:]
    var waitingForMetadata = false
    var closed = false
    /// What the consumers' `statistics()` report.
    var counters = FetchCounters()
    /// The arrays compressed batches were decompressed into, written into again once their
    /// records are gone (delivered and let go of): up to four fetches' worth of bytes.
    var decompression: DecompressionBuffers

    init(loop: IOLoop, cluster: Cluster, settings: Settings) {
        self.loop = loop
        self.cluster = cluster
        self.settings = settings
        let fetch = max(settings.maxBytes, settings.partitionMaxBytesFloor)
        decompression = DecompressionBuffers(maxBytes: fetch.multipliedReportingOverflow(by: 4).overflow ? .max : 4 * fetch)
    }

    var decodeBudget: DecodeBudget { settings.decodeBudget ?? .forFetch(maxBytes: settings.maxBytes) }

    // MARK: assignment

    /// Starts (or restarts) `tp` at `start`: an exact offset at once, anything else after a
    /// lookup. An exact offset found out of range goes to `fallback` instead.
    func assign(_ tp: TopicPartition, from start: StartPosition, ifOutOfRange fallback: StartPosition = .beginning) {
        var a = assignments[tp] ?? Assignment(start: start)
        if pausedAhead.remove(tp) != nil { a.paused = true }
        a.start = start
        a.fallback = fallback
        a.run += 1
        a.timestampFloor = nil
        a.fromLatest = false
        if case .offset(let n) = start { a.position = n } else { a.position = nil }
        assignments[tp] = a
        schedulePump()
    }

    /// Moves an assigned partition to `start` (the next answer for its old position is ignored).
    func seek(_ tp: TopicPartition, to start: StartPosition) {
        guard let a = assignments[tp] else { return }
        assign(tp, from: start, ifOutOfRange: a.fallback)
    }

    /// Keeps `tp`'s position but ignores any answer for it already on its way, so that
    /// answer does not move the position past records nobody will be handed.
    func dropAnswersOnTheirWay(_ tp: TopicPartition) {
        guard var a = assignments[tp] else { return }
        a.run += 1
        a.runKeepingPosition = a.run
        assignments[tp] = a
    }

    /// Stops fetching `tp`: nothing more of it is delivered, not even from an answer already
    /// on its way.
    func unassign(_ tp: TopicPartition) {
        assignments[tp] = nil
        pausedAhead.remove(tp)
    }

    /// Pauses `tp`; one not assigned yet (a grouped consumer's gain, reported before its
    /// fetching starts) is paused when it is.
    func pause(_ tp: TopicPartition) {
        if assignments[tp] == nil { pausedAhead.insert(tp) } else { assignments[tp]?.paused = true }
    }

    func resume(_ tp: TopicPartition) {
        pausedAhead.remove(tp)
        guard assignments[tp]?.paused == true else { return }
        assignments[tp]?.paused = false
        schedulePump()
    }

    /// The next offset to deliver: the first record still queued for delivery, else the next to fetch.
    func position(_ tp: TopicPartition) -> Int64? {
        guard let a = assignments[tp] else { return nil }
        for d in ready[readyHead...] where d.tp == tp && d.run == a.run && d.position == a.position && d.next < d.records.count {
            return d.records[d.next].offset
        }
        return a.position
    }

    /// Sets a position directly (tests, and consumers restoring a known offset).
    func setPosition(_ tp: TopicPartition, _ offset: Int64) {
        if assignments[tp] == nil { assignments[tp] = Assignment(start: .offset(offset)) }
        assignments[tp]?.position = offset
    }

    func highWatermark(_ tp: TopicPartition) -> Int64? { assignments[tp]?.highWatermark }

    func close() {
        closed = true
        continuous = false
        assignments = [:]
        ready = []
        readyHead = 0
        undelivered = [:]
        decompression.removeAll()
    }

    /// The position to go back to when `tp`'s is out of range.
    func outOfRange(_ tp: TopicPartition) {
        guard var a = assignments[tp] else { return }
        KielLog.info("offset \(a.position ?? -1) out of range for \(tp); looking the start up again")
        if case .offset = a.start { a.start = a.fallback }
        a.position = nil
        a.run += 1
        assignments[tp] = a
    }
}
