/// Turning the engine's records into messages.
extension SingleConsumer {
    /// Deserializes each partition's records, in order. A record whose value fails to
    /// deserialize goes to `onError` and is skipped (its offset is already behind the position).
    func messages(_ records: [(TopicPartition, [Record])]) -> [ConsumerMessage<Value>] {
        var out: [ConsumerMessage<Value>] = []
        for (tp, batch) in records {
            for record in batch {
                do {
                    let value = try deserializer.deserialize(record.value ?? [])
                    out.append(ConsumerMessage(topic: tp.topic, partition: tp.partition, offset: record.offset,
                                               key: record.key, timestamp: record.timestamp,
                                               headers: record.headers, value: value))
                } catch {
                    onError?(.serialization("cannot deserialize \(tp)@\(record.offset)", underlying: error))
                }
            }
        }
        return out
    }
}

extension SingleConsumer {
    /// One fetch answer as messages, as a round absorbs it (for tests that build answers).
    func absorb(_ response: FetchResponse) -> [ConsumerMessage<Value>] {
        var asked: FetchEngine.Asked = [:]
        for (tp, a) in engine.assignments { if let position = a.position { asked[tp] = (position, a.run) } }
        return messages(engine.absorb(response, asked: asked).0)
    }

    /// One partition of a fetch answer as messages, under a budget of its own.
    func absorb(_ p: FetchResponse.Partition, topic: String) -> [ConsumerMessage<Value>] {
        var budget = engine.decodeBudget
        let tp = TopicPartition(topic, p.partitionIndex)
        return messages([(tp, engine.absorb(p, tp, budget: &budget).0)])
    }
}
