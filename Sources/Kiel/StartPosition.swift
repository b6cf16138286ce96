import Foundation
import KafkaProtocol

/// Where a consumer begins reading a topic's partitions. A plain value: safe to pass between threads.
public enum StartPosition: Sendable, Equatable {
    /// The oldest retained offset.
    case beginning
    /// Only records produced from now on (kiel's default).
    case end
    /// The first record with a timestamp at or after this date.
    case date(Date)
    /// The first record produced at most this long ago.
    case ago(Duration)
    /// This exact offset in every partition (clamped by out-of-range recovery to the beginning).
    case offset(Int64)

    /// The ListOffsets `timestamp` this start asks for: -2 earliest, -1 latest, else epoch ms.
    /// Nil for `.offset`, which needs no lookup.
    func listOffsetsTimestamp(now: Date = Date()) -> Int64? {
        switch self {
        case .beginning: return ListOffsetsRequest.earliestTimestamp
        case .end: return ListOffsetsRequest.latestTimestamp
        case .date(let date): return Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        case .ago(let interval):
            let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
            // "Longer ago than the epoch" is the epoch: a negative timestamp would be a special value.
            let (ms, overflow) = nowMs.subtractingReportingOverflow(interval.milliseconds)
            return overflow ? .max : max(0, ms)
        case .offset: return nil
        }
    }
}

/// kiel divides the consumer's `maxBytes` evenly among the partitions fetched from one leader;
/// this keeps that, but never goes below `floor` so one large record still fits.
func partitionMaxBytes(total: Int, partitions: Int, floor: Int) -> Int32 {
    guard partitions > 0 else { return Int32(clamping: total) }
    return Int32(clamping: max(total / partitions, floor))
}
