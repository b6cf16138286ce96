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
