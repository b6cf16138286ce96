import XCTest

/// Tests of broker-coordinated groups on the real broker: the Kiel members (`harness`) and
/// any confluent-kafka members (`peers`) a test starts are closed after it.
class BrokerGroupTestCase: XCTestCase {
    var harness: KafkaGroupHarness!
    var peers: [ConfluentMember] = []

    override func tearDown() {
        harness?.closeAll()
        for peer in peers { peer.stop() }
        peers = []
        harness = nil
        super.tearDown()
    }
}
