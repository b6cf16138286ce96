// Heartbeats: on their own timer in the loop, whatever the message callbacks do (as long as
// they return: a callback that blocks the loop blocks the heartbeats too).

import KielIO
import KafkaProtocol

extension GroupMembership {
    func startHeartbeats() {
        lastHeartbeat = loop.now
        scheduleHeartbeat(after: settings.heartbeatInterval)
    }

    func stopHeartbeats() {
        loop.cancelTimeout(&heartbeatTimer)
    }

    private func scheduleHeartbeat(after delay: Duration) {
        loop.cancelTimeout(&heartbeatTimer)
        let current = round
        heartbeatTimer = loop.callLater(delay) { [weak self] in
            guard let self, self.round == current else { return }
            self.heartbeatTimer = nil
            self.heartbeat()
        }
    }

    /// Whether the coordinator has surely dropped this member by now: no heartbeat answered
    /// for a session timeout (the process was paused, say). The member is then replaced at
    /// once, so a delivery that was waiting for its turn does not go out from a zombie.
    ///
    /// A cooperative member keeps its partitions while it rejoins; the coordinator waits for
    /// it for the rebalance timeout, so one still not in the new generation after that (it
    /// could not reach the coordinator, say) has been dropped too.
    func sessionRanOut() -> Bool {
        switch state {
        case .stable:
            guard let lastHeartbeat, loop.now - lastHeartbeat >= settings.sessionTimeout else { return false }
            lost("no heartbeat answered for a session timeout", resetMemberId: false)
        case .joining, .syncing:
            guard holdsAssignment, let rejoinedAt,
                  loop.now - rejoinedAt >= max(settings.sessionTimeout, settings.rebalanceTimeout) else { return false }
            lost("not back in the group within the rebalance timeout", resetMemberId: false)
        case .idle, .closed:
            return false
        }
        return true
    }

    /// One heartbeat; the next follows `heartbeatInterval` after the answer. REBALANCE_IN_PROGRESS
    /// starts a rejoin; UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION and FENCED_INSTANCE_ID mean this
    /// member was replaced. A heartbeat that fails otherwise is tried again after the backoff
    /// (finding the coordinator again if it moved), until a session timeout has passed since
    /// the last one that got through: by then the coordinator has dropped this member, and
    /// another may consume its partitions.
    func heartbeat() {
        guard state == .stable, !sessionRanOut() else { return }
        let current = round
        let retry: () -> Void = { [weak self] in
            guard let self, self.round == current else { return }
            self.heartbeat()
        }
        withCoordinator(retry) { [weak self] connection in
            guard let self, self.round == current, self.state == .stable else { return }
            let request = HeartbeatRequest(groupId: self.group, generationId: self.generationId, memberId: self.memberId,
                                           groupInstanceId: self.settings.groupInstanceId)
            connection.send(request, timeout: self.settings.sessionTimeout) { [weak self] result in
                guard let self, self.round == current, self.state == .stable else { return }
                switch result {
                case .failure(let error):
                    self.failed(error, retry)
                case .success(let (response, _)):
                    self.answered(response.errorCode, retry)
                }
            }
        }
    }

    private func answered(_ code: Int16, _ retry: @escaping () -> Void) {
        switch KafkaErrorCode(rawValue: code) {
        case .none?:
            lastHeartbeat = loop.now
            backoff.reset()
            scheduleHeartbeat(after: settings.heartbeatInterval)
        case .rebalanceInProgress?:
            lastHeartbeat = loop.now
            rejoin("the coordinator started a rebalance")
        case .fencedInstanceId?:
            fenced()
        case .unknownMemberId?:
            lost("heartbeat answered \(BrokerError(wireCode: code).name)", resetMemberId: true)
        case .illegalGeneration?:
            lost("heartbeat answered ILLEGAL_GENERATION", resetMemberId: false)
        default:
            failed(.broker(BrokerError(wireCode: code)), retry)
        }
    }
}
