import KafkaProtocol
@testable import Kiel

/// Fetch answers built by a test, absorbed by a consumer's engine and turned into messages as
/// a round would.
extension SingleConsumer {
    /// One fetch answer as messages, as a round absorbs it (for tests that build answers).
    func absorb(_ response: FetchResponse) -> [ConsumerMessage<Value>] {
        var asked: FetchEngine.Asked = [:]
        for (tp, a) in engine.assignments { if let position = a.position { asked[tp] = (position, a.run) } }
        return messages(engine.absorb(response, asked: asked).records)
    }

    /// One partition of a fetch answer as messages, under a budget of its own.
    func absorb(_ p: FetchResponse.Partition, topic: String) -> [ConsumerMessage<Value>] {
        var budget = engine.decodeBudget
        let tp = TopicPartition(topic, p.partitionIndex)
        return messages(engine.absorb(p, tp, budget: &budget).0.map { (tp, $0) })
    }
}
