/// Turning the engine's records into messages.
extension SingleConsumer {
    /// Deserializes each partition's records, in order. A record whose value fails to
    /// deserialize goes to `onError` and is skipped (its offset is already behind the position).
    func messages(_ records: [(TopicPartition, [Record])]) -> [ConsumerMessage<Value>] {
        var out: [ConsumerMessage<Value>] = []
        // Sized once: a partition's records come in a piece per record batch, and growing the
        // array piece by piece would copy the messages made so far each time.
        out.reserveCapacity(records.reduce(0) { $0 + $1.1.count })
        for (tp, batch) in records { deserializer.append(batch, of: tp, to: &out, failed: onError) }
        messagesDelivered += out.count
        return out
    }
}
