// Kiel: the Kafka clients (Producer, SingleConsumer, GroupedConsumer) over KielIO,
// KafkaProtocol and ZooKeeper.
@_exported import KielIO
@_exported import KafkaProtocol
