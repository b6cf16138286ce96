// Kiel: the Kafka clients (Producer, SingleConsumer, GroupedConsumer) over KielIO,
// KafkaProtocol and ZooKeeper.
@_exported import KielIO
@_exported import KafkaProtocol
// What a grouped-consumer user meets of ZooKeeper: the error `KielError.zookeeper` carries.
// (Not the whole module: its request types share names with KafkaProtocol's.)
@_exported import enum ZooKeeper.ZooKeeperError
