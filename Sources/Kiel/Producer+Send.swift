/// The producer's sending side: obtaining a producer id, turning ready batches into one
/// Produce request per leader, and settling each partition's answer (report, retry, or fail).
extension Producer {
    func initIdempotence(_ done: @escaping () -> Void) {
        guard idempotenceState == .unknown else { return loop.callSoon(done) }
        guard let connection = cluster.anyBrokerConnection() else {
            // No broker known yet: metadata first, then try again.
            cluster.refreshMetadata { [weak self] result in
                guard let self else { return }
                if case .failure = result { return done() }
                if self.cluster.metadata.brokers.isEmpty { return done() }
                self.initIdempotence(done)
            }
            return
        }
        idempotenceState = .initializing
        var request = InitProducerIdRequest()
        // Holding an id already means the broker lost our sequence: ask for the next epoch of
        // the same id (KIP-360, v3+), so batches of the old epoch can never be taken after the
        // new ones, rather than starting over as a stranger.
        let bumping = producerID >= 0
        if bumping {
            request.producerId = producerID
            request.producerEpoch = producerEpoch
        }
        connection.send(request) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success(let answer) where answer.response.errorCode != 0 && bumping:
                // The broker would not bump this id (too old a version, or fenced): take a new one.
                KielLog.info("epoch bump refused (\(BrokerError(wireCode: answer.response.errorCode))); asking for a new producer id")
                self.producerID = -1
                self.producerEpoch = -1
                self.idempotenceState = .unknown
            case .success(let answer) where answer.response.errorCode == 0:
                self.producerID = answer.response.producerId
                self.producerEpoch = answer.response.producerEpoch
                self.idempotenceState = .enabled
                // Sequence numbers let the broker keep order across several batches in flight.
                self.accumulator.maxInFlight = 5
                KielLog.debug("idempotent producer id \(self.producerID) epoch \(self.producerEpoch)")
            case .success(let answer):
                let error = BrokerError(wireCode: answer.response.errorCode)
                self.idempotenceState = error.isRetriable ? .unknown : .disabled
                KielLog.warning("InitProducerId refused (\(error)); \(error.isRetriable ? "will retry" : "producing without idempotence")")
                self.onError?(.broker(error))
            case .failure(.broker(let error)) where error.code == .unsupportedVersion:
                self.idempotenceState = .disabled
                KielLog.info("broker does not offer InitProducerId; producing without idempotence")
            case .failure(let error):
                self.idempotenceState = .unknown
                KielLog.info("InitProducerId failed (\(error)); will retry")
                self.onError?(error)
            }
            if self.idempotenceState != .enabled { self.accumulator.maxInFlight = 1 }
            // Records accepted while the id was being fetched found sending paused
            // (.initializing): send them now rather than when the next record arrives.
            if self.idempotenceState == .unknown {
                self.loop.callLater(self.options.retryBackoff) { [weak self] in
                    done()
                    if let self, !self.accumulator.isEmpty { self.scheduleSend() }
                }
            } else {
                if !self.accumulator.isEmpty { self.scheduleSend() }
                done()
            }
        }
    }

    func scheduleSend() {
        startExpiryTimerIfNeeded()
        guard !sendScheduled, !closed else { return }
        sendScheduled = true
        loop.callSoon { [weak self] in
            guard let self else { return }
            self.sendScheduled = false
            self.sendReady()
        }
    }

    func sendReady() {
        if needsNewProducerID && accumulator.inFlight.isEmpty {
            needsNewProducerID = false
            accumulator.resetSequences()
            idempotenceState = .unknown
        }
        if idempotenceState == .unknown && !accumulator.isEmpty {
            return initIdempotence { [weak self] in self?.scheduleSend() }
        }
        guard idempotenceState != .initializing, !needsNewProducerID else { return }
        let now = loop.now.uptimeNanoseconds
        var missingLeader = false
        let batches = accumulator.drain(now: now, idempotent: idempotenceState == .enabled) { tp in
            guard let leader = cluster.metadata.leader(for: tp), cluster.connection(forNode: leader) != nil else {
                missingLeader = true
                return false
            }
            return leaderHasRoom(leader)
        }
        if missingLeader {
            cluster.refreshMetadata { [weak self] _ in self?.scheduleSend() }
        }
        var byLeader: [Int32: [ProducerBatch<DeliveryReport?>]] = [:]
        for batch in batches {
            byLeader[cluster.metadata.leader(for: batch.partition)!, default: []].append(batch)
        }
        for (leader, group) in byLeader { send(group, to: leader) }
        armLingerTimer(now: now)
    }

    /// A leader with its share of requests out waits: its batches keep filling and go together
    /// in the next request, instead of as many small ones. An answer wakes the sender again.
    private func leaderHasRoom(_ leader: Int32) -> Bool {
        requestsInFlight[leader, default: 0] < options.maxRequestsInFlight
    }

    private func armLingerTimer(now: UInt64) {
        // Partitions without a known leader wait for the metadata refresh, whose answer sends.
        let next = accumulator.nextDeadline(now: now) { tp in
            cluster.metadata.leader(for: tp).map(leaderHasRoom) ?? false
        }
        guard let next else { return }
        lingerTimer.arm(at: max(next, now))
    }

    private func send(_ batches: [ProducerBatch<DeliveryReport?>], to leader: Int32) {
        guard let connection = cluster.connection(forNode: leader) else {
            for batch in batches {
                retryOrFail(batch.partition, batch.id, .noBrokersAvailable("leader \(leader) unknown"))
            }
            return
        }
        var topics: [String: [ProduceRequest.Partition]] = [:]
        var sent: [TopicPartition: UInt64] = [:]
        // A producer id left over from before idempotence was turned off must not go out with
        // sequence-less batches: the broker would reject them as out of order.
        let idempotent = idempotenceState == .enabled
        for batch in batches {
            // Sized by the batch's estimate (an upper bound), so the buffer never grows by copying.
            var builder = RecordBatchBuilder(compression: options.compression, producerId: idempotent ? producerID : -1,
                                             producerEpoch: idempotent ? producerEpoch : -1,
                                             baseSequence: idempotent ? batch.baseSequence ?? -1 : -1,
                                             capacity: batch.bytes)
            for r in batch.records {
                builder.append(timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers)
            }
            do {
                let bytes = try builder.finish()
                topics[batch.partition.topic, default: []].append(
                    ProduceRequest.Partition(index: batch.partition.partition, records: bytes))
                sent[batch.partition] = batch.id
                countSent(batch, bytes: bytes.count)
            } catch {
                fail(batch.partition, batch.id,
                     .serialization("cannot compress batch with \(options.compression)", underlying: error))
            }
        }
        guard !sent.isEmpty else { return }
        let request = ProduceRequest(
            acks: options.requiredAcks, timeoutMs: Int32(clamping: options.ackTimeout.milliseconds),
            topics: topics.sorted { $0.key < $1.key }.map { ProduceRequest.Topic(name: $0.key, partitions: $0.value) })
        let acks = options.requiredAcks
        requestsInFlight[leader, default: 0] += 1
        connection.send(request, timeout: options.ackTimeout.cappedAdding(options.cluster.connection.requestTimeout),
                        expectsResponse: acks != 0) { [weak self] result in
            guard let self else { return }
            self.requestsInFlight[leader, default: 1] -= 1
            self.settle(result, sent: sent, acksNone: acks == 0)
        }
    }

    private func settle(_ result: Result<(response: ProduceResponse, version: Int16), KielError>,
                        sent: [TopicPartition: UInt64], acksNone: Bool) {
        switch result {
        case .failure(let error):
            for (tp, id) in sent.sorted(by: { $0.value < $1.value }) { retryOrFail(tp, id, error) }
            if error.isRetriable { cluster.refreshMetadata { _ in } }
        case .success(let answer):
            if acksNone {
                for (tp, id) in sent { succeed(tp, id, baseOffset: -1, logAppendTime: -1) }
                break
            }
            var pending = sent
            var refresh = false
            for topic in answer.response.topics {
                for p in topic.partitions {
                    let tp = TopicPartition(topic.name, p.index)
                    guard let id = pending.removeValue(forKey: tp) else { continue }
                    let error = BrokerError(wireCode: p.errorCode, topic: tp.topic, partition: tp.partition)
                    switch p.errorCode {
                    case 0, BrokerError.duplicateSequenceNumber:
                        succeed(tp, id, baseOffset: p.baseOffset, logAppendTime: p.logAppendTimeMs)
                    case BrokerError.outOfOrderSequenceNumber where accumulator.paused.contains(tp):
                        // An earlier batch of this partition failed, so this one arrived out of
                        // order: it goes again after that one.
                        retryOrFail(tp, id, .broker(error), force: true)
                    case BrokerError.outOfOrderSequenceNumber, BrokerError.unknownProducerId,
                         KafkaErrorCode.invalidProducerEpoch.rawValue:
                        // The broker lost track of our sequence: start over with a new producer id.
                        needsNewProducerID = true
                        retryOrFail(tp, id, .broker(error), force: true)
                    default:
                        if error.isRetriable { refresh = true }
                        retryOrFail(tp, id, .broker(error))
                    }
                }
            }
            for (tp, id) in pending {
                retryOrFail(tp, id, .protocolViolation("Produce answer left out \(tp)"))
            }
            if refresh { cluster.refreshMetadata { _ in } }
        }
        checkFlushed()
        scheduleSend()
    }

    private func succeed(_ tp: TopicPartition, _ id: UInt64, baseOffset: Int64, logAppendTime: Int64) {
        guard let batch = accumulator.complete(tp, id: id) else { return }
        countDelivered(batch)
        for (i, r) in batch.records.enumerated() {
            let metadata = RecordMetadata(topic: tp.topic, partition: tp.partition,
                                          offset: baseOffset >= 0 ? baseOffset.addingReportingOverflow(Int64(i)).partialValue : -1,
                                          timestamp: logAppendTime >= 0 ? logAppendTime : r.timestamp)
            r.token?(.success(metadata))
        }
    }

    /// Delivers one record's outcome to its report; a failure of a record produced without a
    /// report goes to `onError` instead, so no failed delivery goes unheard.
    func settle(_ report: DeliveryReport?, _ result: Result<RecordMetadata, KielError>) {
        if case .failure = result { counters.deliveryFailures += 1 }
        if let report { return report(result) }
        if case .failure(let error) = result { onError?(error) }
    }

    func fail(_ tp: TopicPartition, _ id: UInt64, _ error: KielError) {
        guard let batch = accumulator.complete(tp, id: id) else { return }
        for r in batch.records { settle(r.token, .failure(error)) }
    }

    /// Retries an in-flight batch of `tp` after the backoff if the error allows it and the
    /// batch is within its delivery timeout; otherwise reports the error to each record.
    private func retryOrFail(_ tp: TopicPartition, _ id: UInt64, _ error: KielError, force: Bool = false) {
        guard let batch = accumulator.inFlightBatch(tp, id: id) else { return }
        let now = loop.now.uptimeNanoseconds
        let age = now &- batch.createdAt
        if (error.isRetriable || force) && !closed && age < AccumulatorLimits.nanoseconds(options.deliveryTimeout) {
            KielLog.debug("retrying \(tp) after \(error)")
            counters.retries += 1
            accumulator.retry(tp, id: id, notBefore: now.saturatingAdd(AccumulatorLimits.nanoseconds(options.retryBackoff)))
        } else {
            fail(tp, id, error)
        }
    }
}
