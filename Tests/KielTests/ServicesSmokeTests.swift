import KielTestSupport
import XCTest

/// Checks that the services scripts/test.sh starts are up and that the interop toolchain works,
/// so a failure elsewhere is never just a missing service.
final class ServicesSmokeTests: XCTestCase {
    func testBrokerAcceptsConnections() throws {
        let broker = try TestServices.broker()
        let socket = try TestSocket(host: broker.host, port: broker.port)
        socket.close()
    }

    func testZooKeeperServerAnswersRuok() throws {
        let zk = try TestServices.zookeeper()
        XCTAssertEqual(try TestSocket.fourLetterWord("ruok", host: zk.host, port: zk.port), "imok")
    }

    func testEnsembleNodesAnswerRuokAndHaveOneLeader() throws {
        let nodes = try TestServices.zookeeperEnsemble()
        XCTAssertEqual(nodes.count, 3)
        var modes: [String] = []
        for node in nodes {
            XCTAssertEqual(try TestSocket.fourLetterWord("ruok", host: node.host, port: node.port), "imok")
            let srvr = try TestSocket.fourLetterWord("srvr", host: node.host, port: node.port)
            modes += srvr.split(separator: "\n").filter { $0.hasPrefix("Mode: ") }.map { String($0.dropFirst(6)) }
        }
        XCTAssertEqual(modes.sorted(), ["follower", "follower", "leader"])
    }

    func testEnsembleNodeStopsAndStartsAgain() throws {
        let node = try TestServices.zookeeperEnsemble()[0]
        try TestServices.zookeeperControl(stop: 1)
        XCTAssertThrowsError(try TestSocket(host: node.host, port: node.port))
        XCTAssertTrue(try TestServices.zookeeperStatus().contains("1 \(node.port) stopped"))
        try TestServices.zookeeperControl(start: 1)
        XCTAssertEqual(try TestSocket.fourLetterWord("ruok", host: node.host, port: node.port), "imok")
        let srvr = try TestSocket.fourLetterWord("srvr", host: node.host, port: node.port)
        XCTAssertTrue(srvr.contains("Mode: leader") || srvr.contains("Mode: follower"), srvr)
    }

    func testPythonClientsImport() throws {
        let output = try TestServices.runPython(script: """
            import confluent_kafka, kafka, kazoo.client
            print(confluent_kafka.libversion()[0] != "", kafka.__version__ != "")
            """)
        XCTAssertEqual(output, "True True\n")
    }

    func testConfluentKafkaRoundTripThroughBroker() throws {
        let broker = try TestServices.broker()
        let topic = TestServices.uniqueName("smoke")
        try TestServices.createTopic(name: topic, partitions: 1)
        let value = TestServices.uniqueName("value")
        let output = try TestServices.runPython(script: "roundtrip_confluent.py",
                                                args: ["\(broker.host):\(broker.port)", topic, value])
        XCTAssertEqual(output, value + "\n")
    }

    func testMissingVariableSaysHowToStartServices() {
        XCTAssertThrowsError(try TestServices.variable("KIEL_TEST_NOT_A_SERVICE")) { error in
            XCTAssertTrue("\(error)".contains("run scripts/test.sh"), "\(error)")
        }
    }
}
