/// How a consumer fetches: the long-poll wait, the byte limits, the decode budget and the
/// pause after a failure. The same for `SingleConsumer` and `GroupedConsumer`, whose `Options`
/// hold one as `fetch` and read its fields as their own (`options.maxWaitTime`).
/// A plain value: safe to pass between threads.
public struct FetchOptions: Sendable, Equatable {
    /// How long the broker may hold a fetch open waiting for `minBytes`.
    public var maxWaitTime: Duration = .seconds(1)
    /// The bytes a fetch waits for before the broker answers (or `maxWaitTime` passes).
    public var minBytes = 1
    /// Bytes per fetch request, divided among the partitions asked of one leader (kiel's
    /// rule) but never below `partitionMaxBytesFloor`.
    public var maxBytes = 1 << 20
    /// The least asked per partition, so a large record still fits.
    public var partitionMaxBytesFloor = 1 << 20
    /// What one fetch answer may decode to: decompressed record bytes and records (see
    /// `DecodeBudget`). nil (the default) is `DecodeBudget.forFetch(maxBytes: maxBytes)`:
    /// 64 MiB and 1 Mi records for the default `maxBytes`. A batch that needs more than the
    /// whole budget (a decompression bomb) is reported through `onError` as a
    /// `protocolViolation`, like a corrupt batch; one that only needs more than the other
    /// partitions of the same fetch left is fetched again next time.
    public var decodeBudget: DecodeBudget?
    /// The most messages one `onMessages` call of a grouped consumer gets (Kafka's
    /// `max.poll.records`). A partition's larger batch is delivered in chunks of this many,
    /// one chunk per loop turn, so the loop's timers and I/O — a group member's heartbeats
    /// among them — run between two calls however slow each is. `SingleConsumer` delivers
    /// whole fetches.
    public var maxMessagesPerCallback = 500
    /// Pause before fetching again after a round that failed or brought only errors.
    public var retryBackoff: Duration = .milliseconds(200)
    /// `.readCommitted` leaves out the records of aborted transactions and reads only up to
    /// the last stable offset (which `FetchControl.highWatermark` and `lag` then measure from).
    public var isolationLevel = IsolationLevel.readUncommitted
    /// The defaults above.
    public init() {}
}
