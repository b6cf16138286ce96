import Foundation
import XCTest
import KielTestSupport

/// `kiel group` with ZooKeeper credentials the server refuses.
extension CLIIntegrationTests {
    func testGroupWithARefusedZooKeeperSchemeExitsWithTheReason() throws {
        let zk = try TestServices.zookeeper()
        let topic = TestServices.uniqueName("cli-zkauth")
        try TestServices.createTopic(name: topic, partitions: 1)
        let result = try kiel(["group", "-b", try broker(), "-z", "\(zk.host):\(zk.port)", "-g", TestServices.uniqueName("g"),
                               "-t", topic, "-X", "zookeeper.auth=no-such-scheme:whatever"])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.contains("could not join group"), result.stderr)
        XCTAssertTrue(result.stderr.contains("authFailed"), result.stderr)
    }
}
