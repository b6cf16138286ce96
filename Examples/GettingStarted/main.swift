// getting-started: produce keyed JSON messages, read them back, then consume them again as a
// member of a ZooKeeper-coordinated group. Exits 0 only if every message came back both ways.
//
//   swift run getting-started [BROKER [ZOOKEEPER]]   (default: $KIEL_TEST_BROKER, $KIEL_TEST_ZK)
import Foundation
import Kiel

let env = ProcessInfo.processInfo.environment
let arguments = CommandLine.arguments
let broker = arguments.count > 1 ? arguments[1] : env["KIEL_TEST_BROKER"] ?? "127.0.0.1:9092"
let zooKeeper = arguments.count > 2 ? arguments[2] : env["KIEL_TEST_ZK"] ?? "127.0.0.1:2181"
let topic = "getting-started-\(UInt32.random(in: 0 ... .max))"   // a new topic (and group) each run
let count = 10

// Everything on the loop lives in one function: its callbacks all run on this thread.
func gettingStarted() throws -> Bool {
    let loop = try IOLoop()                          // the thread that creates it runs it
    var options = Producer<JSON>.Options()
    options.cluster.allowAutoTopicCreation = true    // the topic doesn't exist yet
    let producer = try Producer<JSON>(loop: loop, brokers: [broker], serializer: .json, options: options)
    let reader = try SingleConsumer<JSON>(loop: loop, brokers: [broker], deserializer: .json)
    let member = try GroupedConsumer<JSON>(loop: loop, brokers: [broker], group: topic,
                                           zooKeeper: zooKeeper, deserializer: .json)
    var stored = 0, read = 0, grouped = 0, failures = 0, finished = false

    func finish() {                                  // close everything, then leave loop.run()
        guard !finished else { return }
        finished = true
        reader.close { member.close { producer.close { loop.stop() } } }
    }
    let deadline = loop.callLater(.seconds(60)) { print("timed out"); failures += 1; finish() }

    // 3. The only member of a new group gets every partition and starts at the beginning.
    func joinGroup() {
        member.onRebalance = { change in print("member gained \(change.gained), lost \(change.lost)") }
        member.onMessages = { messages in
            grouped += messages.count
            if grouped >= count { loop.removeTimeout(deadline); finish() }
        }
        member.subscribe(topic)
        member.connect { result in
            if case .failure(let error) = result { print("join failed: \(error)"); failures += 1; finish() }
        }
    }

    // 2. Read them back from the beginning of the topic.
    func readBack() {
        reader.onMessages = { messages in
            for m in messages { print("read \(m.partition)@\(m.offset) \(String(decoding: m.key ?? [], as: UTF8.self)): \(m.value)") }
            read += messages.count
            if read >= count { reader.unsubscribe(topic); joinGroup() }
        }
        reader.onError = { error in print("read failed: \(error)") }   // the subscription tries again
        reader.subscribe(topic, start: .beginning)
    }

    // 1. Produce keyed JSON messages; each gets exactly one delivery report.
    producer.connect()
    for i in 0..<count {
        let user = "user-\(i % 3)"
        try producer.produce(topic, JSON(["n": JSON(i), "user": JSON(user)]), key: Array(user.utf8)) { report in
            switch report {
            case .success(let metadata): stored += 1; print("stored \(metadata)")   // topic/partition@offset
            case .failure(let error): failures += 1; print("not delivered: \(error)")
            }
            if stored + failures == count { readBack() }
        }
    }

    loop.run()                                       // until finish() stops it
    print("getting-started: produced \(stored)/\(count), read back \(read), group member got \(grouped)")
    return stored == count && read == count && grouped == count && failures == 0
}

exit(try gettingStarted() ? 0 : 1)
