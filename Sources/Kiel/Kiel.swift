// Kiel: the Kafka clients (Producer, SingleConsumer, GroupedConsumer) over KielIO,
// KafkaProtocol, ZooKeeper and KielTLS.
@_exported import KielIO
@_exported import KafkaProtocol
@_exported import KielTLS
// What a grouped-consumer user meets of ZooKeeper: the error `KielError.zookeeper` carries.
// (Not the whole module: its request types share names with KafkaProtocol's.)
@_exported import enum ZooKeeper.ZooKeeperError
// The grouped consumer's ZooKeeper security settings (`GroupedConsumer.Options`).
@_exported import struct ZooKeeper.ZooKeeperCredentials
@_exported import struct ZooKeeper.ACL
