// Finding a consumer group's coordinator broker.

import KielIO
import KafkaProtocol

extension Cluster {
    /// The node id and address of the broker coordinating `group` (FindCoordinator, after a
    /// metadata refresh so some broker is known to ask). A broker error code in the answer
    /// (COORDINATOR_NOT_AVAILABLE while the group's log loads, say) is the failure.
    func findCoordinator(group: String,
                         _ completion: @escaping (Result<(node: Int32, address: BrokerAddress), KielError>) -> Void) {
        refreshMetadata { [weak self] result in
            guard let self else { return completion(.failure(.closed)) }
            if case .failure(let error) = result { return completion(.failure(error)) }
            guard let any = self.anyBrokerConnection() else {
                return completion(.failure(.noBrokersAvailable("no broker to ask for the coordinator of \(group)")))
            }
            any.send(FindCoordinatorRequest(key: group, keyType: 0)) { result in
                switch result {
                case .failure(let error): completion(.failure(error))
                case .success(let (response, version)):
                    var (code, node, host, port) = (response.errorCode, response.nodeId, response.host, response.port)
                    if version >= 4 {
                        guard let entry = response.coordinators.first(where: { $0.key == group }) ?? response.coordinators.first else {
                            return completion(.failure(.protocolViolation("FindCoordinator answered no coordinator")))
                        }
                        (code, node, host, port) = (entry.errorCode, entry.nodeId, entry.host, entry.port)
                    }
                    if code != 0 { return completion(.failure(.broker(BrokerError(wireCode: code)))) }
                    completion(.success((node, BrokerAddress(host: host, port: Int(port)))))
                }
            }
        }
    }
}
