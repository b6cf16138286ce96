// Kiel: the Kafka clients (Producer, SingleConsumer, GroupedConsumer) over KielIO,
// KafkaProtocol, ZooKeeper and KielTLS.
@_exported import KielIO
@_exported import KafkaProtocol
@_exported import KielTLS
